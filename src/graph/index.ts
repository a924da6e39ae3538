/** The access graph model: attribute normalization, extension names, reverse index, content hashes. */
export * from './attribute-names.ts'
export * from './content-hash.ts'
export * from './extension-names.ts'
export * from './normalize.ts'
export * from './resource-rows.ts'
export * from './reverse-index.ts'
