/** The per-release addon catalog: `addonSpec(name, release)` and what is decided from it. */
export * from './types.js'
export * from './lookup.js'
export * from './order.js'
export * from './arguments.js'
export * from './corefile.js'
export * from './community.js'
export * from './validate.js'
export * from './containerd-profile.js'
