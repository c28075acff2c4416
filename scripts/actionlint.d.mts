// Types for scripts/actionlint.mjs, used by test/docs.test.ts.
export const ACTION_MAJORS: Record<string, { node24: number; current: number }>
export function workflowExamples(markdown: string): { line: number; text: string; offset: number }[]
export function actionMajors(text: string): {
  problems: { line: number; message: string }[]
  notes: { line: number; message: string }[]
}
export function unmatchedWorkflowRuns(text: string, names: Set<string>): string[]
