/**
 * ASCII folding of Latin letters: NFKD takes accents off (é → e, ñ → n, ﬁ → fi) and a table
 * handles the letters Unicode does not see as accented (ß, Ł, Æ, Ø, Đ, Þ …). Letters of other
 * scripts are kept: this is folding, not transliteration.
 */

/** Letters and signs NFKD leaves alone, with their ASCII spelling. */
const TABLE: Readonly<Record<string, string>> = {
  Æ: 'AE',
  æ: 'ae',
  Ǽ: 'AE',
  ǽ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Ø: 'O',
  ø: 'o',
  ß: 'ss',
  ẞ: 'SS',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  ȷ: 'j',
  Ħ: 'H',
  ħ: 'h',
  Ŧ: 'T',
  ŧ: 't',
  Ŋ: 'NG',
  ŋ: 'ng',
  ĸ: 'q',
  ƒ: 'f',
  Ƒ: 'F',
  ƀ: 'b',
  Ɓ: 'B',
  ɓ: 'b',
  Ɗ: 'D',
  ɗ: 'd',
  Ɨ: 'I',
  ɨ: 'i',
  Ƶ: 'Z',
  ƶ: 'z',
  Ɉ: 'J',
  ɉ: 'j',
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u02BC': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
}

const TABLE_CHARS = new RegExp(`[${Object.keys(TABLE).join('')}]`, 'gu')
const MARKS = /\p{M}+/gu
const LOWER = /\p{Ll}/u

/** Folds `text` to ASCII where a Latin letter allows: `Łukasz Żółć` → `Lukasz Zolc`, `Ærø` → `Aero`. */
export function removeDiacritics(text: string): string {
  const stripped = text.normalize('NFKD').replace(MARKS, '')
  return stripped.replace(TABLE_CHARS, (ch, offset: number) => {
    const ascii = TABLE[ch] ?? ch
    // An upper-case letter written as two (Æ, Þ) is capitalized, not shouted, before lower case: Ærø → Aero.
    if (ascii.length > 1 && ascii === ascii.toUpperCase() && LOWER.test(stripped[offset + 1] ?? '')) {
      return ascii[0] + ascii.slice(1).toLowerCase()
    }
    return ascii
  })
}
