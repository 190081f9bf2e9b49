// extwire-hostile: starts and stays silent.
setInterval(() => {}, 1000)
