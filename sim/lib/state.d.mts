// Types for the parts of the simulator's state module the TypeScript tests use.
export function sleepUntil(epochMs: number): Promise<void>
