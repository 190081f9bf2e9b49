/**
 * The JSON report's schema (TypeBox). `extwire conformance --reporter json` output validates
 * against `schema/conformance-report.schema.json`, generated from this by `npm run schema`.
 */
import Type, { type Static } from 'typebox'

const Failure = Type.Object(
  {
    requirement: Type.String(),
    kind: Type.Enum(['expect', 'expect-none', 'wire-schema', 'invariant', 'transport', 'suite', 'deadline']),
    step: Type.Optional(Type.Integer({ minimum: 0 })),
    message: Type.String(),
    expected: Type.Optional(Type.String()),
    actual: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

const Result = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    level: Type.Enum(['MUST', 'SHOULD', 'MAY']),
    requirements: Type.Array(Type.String()),
    status: Type.Enum(['pass', 'fail', 'untested', 'suite-error']),
    durationMs: Type.Number({ minimum: 0 }),
    failures: Type.Array(Failure),
    warnings: Type.Array(Failure),
    reason: Type.Optional(Type.String()),
    expectation: Type.Optional(Type.Enum(['known', 'stale'])),
    trace: Type.Optional(Type.Array(Type.Object({ direction: Type.String(), message: Type.Unknown() }))),
  },
  { additionalProperties: false },
)

const Verdict = Type.Object(
  {
    id: Type.String(),
    level: Type.Enum(['MUST', 'SHOULD', 'MAY']),
    status: Type.Enum(['pass', 'fail', 'blocked', 'untested']),
    fixtures: Type.Array(Type.String()),
    failedIn: Type.Array(Type.String()),
  },
  { additionalProperties: false },
)

const Ids = Type.Array(Type.String())

const OverallVerdict = Type.Object(
  {
    status: Type.Enum(['conformant', 'not-conformant', 'incomplete']),
    line: Type.String({ description: 'What the run covers, in one line: CONFORMANT, NOT CONFORMANT or INCOMPLETE, with counts.' }),
    notes: Type.Array(Type.String()),
    must: Type.Object(
      {
        total: Type.Integer({ minimum: 0, description: 'MUST requirements the suite tests.' }),
        exercised: Type.Integer({ minimum: 0, description: 'Of those, judged (passed or failed) by this run.' }),
        passed: Type.Integer({ minimum: 0 }),
        failed: Ids,
        notSelected: Ids,
        untested: Ids,
        blocked: Ids,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

const SuiteError = Type.Object(
  { file: Type.String(), id: Type.Optional(Type.String()), message: Type.String() },
  { additionalProperties: false, description: 'A fixture refused at load time: the fixture is wrong, not the worker.' },
)

const ExpectedFailureStatus = Type.Object(
  { entry: Type.String(), status: Type.Enum(['matched', 'stale', 'unselected', 'unmatched']) },
  { additionalProperties: false },
)

/** The JSON report of one conformance run. */
export const ConformanceReport = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    tool: Type.Literal('extwire'),
    version: Type.String(),
    protocol: Type.String(),
    target: Type.String(),
    startedAt: Type.String(),
    durationMs: Type.Number({ minimum: 0 }),
    exitCode: Type.Integer({ description: '0 nothing failed unexpectedly; 1 the worker failed a MUST; 4 the run cannot vouch for its selection.' }),
    verdict: OverallVerdict,
    suiteErrors: Type.Array(SuiteError),
    expectedFailures: Type.Array(ExpectedFailureStatus),
    summary: Type.Object(
      {
        fixtures: Type.Integer({ minimum: 0 }),
        passed: Type.Integer({ minimum: 0 }),
        failed: Type.Integer({ minimum: 0 }),
        knownFailures: Type.Integer({ minimum: 0 }),
        stale: Type.Integer({ minimum: 0 }),
        untested: Type.Integer({ minimum: 0 }),
        suiteErrors: Type.Integer({ minimum: 0 }),
        mustFailed: Type.Integer({ minimum: 0 }),
        shouldFailed: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    requirements: Type.Array(Verdict),
    results: Type.Array(Result),
  },
  { additionalProperties: false, description: 'The JSON report of one extwire conformance run.' },
)

/** See {@link ConformanceReport}. */
export type ConformanceReport = Static<typeof ConformanceReport>
