export interface WorkflowCommand {
  name: string
  properties: Record<string, string>
  message: string
}
export function parseCommand(line: string): WorkflowCommand | undefined
export interface LogView {
  push(chunk: string): void
  end(): void
}
export function createLogView(options?: {
  verbose?: boolean
  debug?: boolean
  color?: boolean
  write?: (text: string) => void
}): LogView
