/**
 * The conformance kit as a library: fixtures, the runner, targets, verdicts and reporters, the
 * recorder, and the fuzzer. `extwire/vitest` adds `describeConformance` for vitest suites.
 */
export { runFixture, runSuite, FixtureRun, StepFailure, TargetStartError, defaultConcurrency, fixtureDeadline, DEFAULT_READY_TIMEOUT_MS, MAX_DERIVED_DEADLINE_MS, type Failure, type FixtureResult, type FixtureStatus, type RunOptions, type SuiteOptions } from './runner.js'
export { workerTarget, commandTarget, workerEnv, SHORT_REQUEST_TIMEOUT_MS, type Target, type ConnectContext, type ProcessTargetOptions } from './targets.js'
export { Fixture, Step, FEATURES, type Level } from './fixture/schema.js'
export { match, substitute, type Bindings, type MatchResult, type Mismatch } from './fixture/match.js'
export { loadFixtures, loadFixtureFile, loadUntestable, listFixtureFiles, type LoadedFixture, type FixtureError } from './fixture/load.js'
export { lintFixtures } from './fixture/lint.js'
export { globToRegExp, selectFixtures, appliesTo, compareVersions } from './fixture/select.js'
export { loadRequirements, type Requirement } from './requirements.js'
export { checkInvariants, type Violation } from './invariants.js'
export { buildReport, parseExpectedFailures, type SuiteReport, type RequirementVerdict, type ClassifiedResult } from './verdicts.js'
export { consoleReport, jsonReport, junitReport, tapReport, REPORTERS, type ReporterName } from './report/reporters.js'
export { ConformanceReport } from './report/schema.js'
export { record, toFixture, type Recording } from './record.js'
export { createConformanceExtension } from './extension/extension.js'
export { arbitraryOf, invalidArbitraryOf, mutationsOf, type Mutation } from './fuzz/arbitrary.js'
export { runCampaign, playSequence, SequenceFailure, type CampaignOptions, type CampaignResult } from './fuzz/campaign.js'
export { commandArbitraries } from './fuzz/commands.js'
export { WorkerModel, FuzzSession, type FuzzCommand } from './fuzz/model.js'
export { PACKAGE_ROOT } from './paths.js'
export { embeddedTarget, conformanceWorkerFile, type EmbeddedOptions, type OutgoingFilter, MUTANTS, BLIND_SPOT_MUTANTS, ALL_MUTANTS, VARIANTS, interposedTarget, type Mutant } from './reference/index.js'
