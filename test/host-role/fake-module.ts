/** A `--host` module for the CLI tests: the fake host's driver factory, as a host author would export theirs. */
import { fakeHostDriver } from './fake-driver.js'

export const createHostDriver = fakeHostDriver()
