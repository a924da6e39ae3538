import { describe, expect, it } from 'vitest'
import { removeDiacritics } from '../../../src/policy/template/diacritics.ts'
import { apply } from './helpers.ts'

describe('remove_diacritics', () => {
  it('takes accents off letters that Unicode decomposes', () => {
    expect(removeDiacritics('José Müller-Lüdenscheidt')).toBe('Jose Muller-Ludenscheidt')
    expect(removeDiacritics('Nguyễn Thị Minh Khai')).toBe('Nguyen Thi Minh Khai')
    expect(removeDiacritics('Ağaoğlu Çelik Şahin')).toBe('Agaoglu Celik Sahin')
    expect(removeDiacritics('Dvořák Žižka')).toBe('Dvorak Zizka')
  })

  it('folds letters that NFKD leaves alone through its table', () => {
    expect(removeDiacritics('Straße')).toBe('Strasse')
    expect(removeDiacritics('Łukasz Żółć')).toBe('Lukasz Zolc')
    expect(removeDiacritics('Søren Kierkegaard')).toBe('Soren Kierkegaard')
    expect(removeDiacritics('æble Œuvre Đorđe ıstanbul')).toBe('aeble Oeuvre Dorde istanbul')
    expect(removeDiacritics('Þór Hrafnsdóttir')).toBe('Thor Hrafnsdottir')
  })

  it('capitalizes a two-letter spelling before lower case and keeps it upper case otherwise', () => {
    expect(removeDiacritics('Ærø')).toBe('Aero')
    expect(removeDiacritics('ÆRØ')).toBe('AERO')
    expect(removeDiacritics('Æ')).toBe('AE')
  })

  it('folds compatibility characters and typographic punctuation', () => {
    expect(removeDiacritics('ﬁnn ①')).toBe('finn 1')
    expect(removeDiacritics('O’Neil – “Ada”')).toBe(`O'Neil - "Ada"`)
  })

  it('keeps letters of other scripts and plain ASCII as they are', () => {
    expect(removeDiacritics('Иван 山田 Ada-Lovelace_1')).toBe('Иван 山田 Ada-Lovelace_1')
    expect(removeDiacritics('')).toBe('')
  })

  it('is the template function of the same name', () => {
    expect(apply('remove_diacritics | lower', 'Ærøskøbing Łódź')).toBe('aeroskobing lodz')
  })
})
