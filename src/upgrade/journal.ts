/**
 * The addon cycle written to disk before the first disable, so that a job cancelled or timed out mid-cycle can
 * be finished by the post step: the plan (each addon with its arguments), everything captured, and how far it
 * got. The file is under RUNNER_TEMP, mode 0600 (it holds captured Secrets), created without following a
 * symlink and replaced by rename, never rewritten in place; its path is in the action's state.
 */
import * as fs from 'node:fs/promises'
import { constants } from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { CycleStep } from './addon-plan.js'
import type { CapturedState } from '../addons/state-specs.js'
import type { Release } from '../catalog/index.js'

/** Where an addon of the cycle stands: `up` (not disabled yet), `down` (disable started), `back` (enabled and restored). */
export type AddonState = 'up' | 'down' | 'back'

export interface JournalData {
  version: 1
  startedAt: string
  /** The target channel, for a report the post step has to start. */
  channel: string
  /** The addon release whose scripts enable (the target snap's). */
  toRelease: Release
  /** The main step's report file, updated by the post step. */
  reportFile: string
  waitTimeout: number
  repos: string[]
  reposUpdated: boolean
  /** Enable order; disabling ran in reverse. */
  steps: CycleStep[]
  addonStates: Record<string, AddonState>
  captured: CapturedState
  /** Set when the main step's cycle failed and its own recovery left an addon down (not an interruption). */
  failed?: boolean
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/** Writes `text` to a new file (never an existing one, never through a symlink), mode 0600. */
async function writeNew(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, CREATE_FLAGS, 0o600)
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}

export class CycleJournal {
  private constructor(
    readonly file: string,
    readonly data: JournalData
  ) {}

  /** Creates the journal file in `dir` with a name no one can have prepared. */
  static async create(dir: string, data: JournalData): Promise<CycleJournal> {
    const file = path.join(dir, `microk8s-upgrade-cycle-${randomBytes(8).toString('hex')}.json`)
    await writeNew(file, JSON.stringify(data))
    return new CycleJournal(file, data)
  }

  /** Reads a journal; undefined when the file is gone (the cycle finished). */
  static async read(file: string): Promise<CycleJournal | undefined> {
    let text: string
    try {
      const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
      try {
        text = await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    const data = JSON.parse(text) as JournalData
    if (data.version !== 1) throw new Error(`${file}: unknown journal version ${String(data.version)}`)
    return new CycleJournal(file, data)
  }

  async mark(addon: string, state: AddonState): Promise<void> {
    this.data.addonStates[addon] = state
    await this.save()
  }

  async reposDone(): Promise<void> {
    this.data.reposUpdated = true
    await this.save()
  }

  async failed(): Promise<void> {
    this.data.failed = true
    await this.save()
  }

  /** Replaces the file by rename: a reader sees the old or the new version, never half of one. */
  private async save(): Promise<void> {
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`
    await writeNew(tmp, JSON.stringify(this.data))
    await fs.rename(tmp, this.file)
  }

  /** The cycle is over (finished, or its failure handled and reported): nothing for the post step to do. */
  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true })
  }
}
