import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeKubeconfigFile, outputPathProblem } from '../../src/cluster/kubeconfig.js'

const CREDENTIALS = 'apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-key-data: U0VDUkVU\n'
let dir = ''
const file = (name: string) => path.join(dir, name)
const mode = (p: string) => fs.statSync(p).mode & 0o777

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('writing the kubeconfig', () => {
  it('creates the directory and a 0600 file, leaving no temporary file behind', () => {
    const target = file('.kube/config')
    expect(writeKubeconfigFile(target, CREDENTIALS)).toEqual({ previous: 'none' })
    expect(fs.readFileSync(target, 'utf8')).toBe(CREDENTIALS)
    expect(mode(target)).toBe(0o600)
    expect(fs.readdirSync(path.dirname(target))).toEqual(['config'])
  })

  it('replaces a different file by renaming a new one into place, keeping the old one as .bak', () => {
    const target = file('config')
    fs.writeFileSync(target, 'someone else\n', { mode: 0o644 })
    const oldInode = fs.statSync(target).ino
    const r = writeKubeconfigFile(target, CREDENTIALS)
    expect(r).toEqual({ previous: 'backed-up', backup: `${target}.bak` })
    // A new file (another inode): the 0644 file never held the credentials, not even briefly.
    expect(fs.statSync(target).ino).not.toBe(oldInode)
    expect(mode(target)).toBe(0o600)
    expect(fs.readFileSync(`${target}.bak`, 'utf8')).toBe('someone else\n')
    expect(mode(`${target}.bak`)).toBe(0o600)
  })

  it('makes no backup when the same kubeconfig is already there', () => {
    const target = file('config')
    writeKubeconfigFile(target, CREDENTIALS)
    expect(writeKubeconfigFile(target, CREDENTIALS)).toEqual({ previous: 'same' })
    expect(fs.existsSync(`${target}.bak`)).toBe(false)
  })

  it('never writes through a symbolic link at the path', () => {
    fs.writeFileSync(file('victim'), 'precious\n')
    fs.symlinkSync(file('victim'), file('config'))
    expect(() => writeKubeconfigFile(file('config'), CREDENTIALS)).toThrow(/is a symbolic link/)
    expect(fs.readFileSync(file('victim'), 'utf8')).toBe('precious\n')
  })

  it('replaces a symbolic link planted at <path>.bak instead of following it', () => {
    fs.writeFileSync(file('victim'), 'precious\n')
    fs.writeFileSync(file('config'), 'old\n')
    fs.symlinkSync(file('victim'), file('config.bak'))
    writeKubeconfigFile(file('config'), CREDENTIALS)
    expect(fs.readFileSync(file('victim'), 'utf8')).toBe('precious\n')
    expect(fs.lstatSync(file('config.bak')).isSymbolicLink()).toBe(false)
    expect(fs.readFileSync(file('config.bak'), 'utf8')).toBe('old\n')
  })

  it('accepts a fresh path in a writable directory and the default under the home directory', () => {
    expect(outputPathProblem(file('a/b/config'))).toBeUndefined()
    expect(outputPathProblem(path.join(os.homedir(), '.kube', 'config'))).toBeUndefined()
  })
})
