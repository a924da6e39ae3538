import { describe, expect, it } from 'vitest'
import { leafPositions } from '../../src/policy/condition-positions.ts'

describe('leafPositions', () => {
  it('finds each comparison path and value, in written order', () => {
    expect(leafPositions('a eq "x" and (b pr or not (c gt 5))')).toEqual([
      { path: 0, value: 5 },
      { path: 14 },
      { path: 27, value: 32 },
    ])
  })

  it('finds value paths and the comparisons inside them', () => {
    expect(leafPositions('emails[type eq "work"] and x eq true')).toEqual([
      { path: 0 },
      { path: 7, value: 15 },
      { path: 27, value: 32 },
    ])
  })

  it('is not fooled by operators and brackets inside strings', () => {
    expect(leafPositions('a eq "b eq [c] \\" pr" and d ne "e"')).toEqual([
      { path: 0, value: 5 },
      { path: 26, value: 31 },
    ])
  })
})
