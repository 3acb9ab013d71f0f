import { malformedText, textFault } from './well-formed-text';

describe('textFault', () => {
  it.each(['plain', '', 'Ирина Петрова', 'Zoë Ørsted', 'emoji 😀 pair', '\t\n\r'])(
    'accepts %j',
    (text) => {
      expect(textFault(text)).toBeUndefined();
    },
  );

  it.each(['\u0000', 'a\u0000b'])('refuses the NUL in %j', (text) => {
    expect(textFault(text)).toMatch(/NUL/);
  });

  it.each(['\ud800', 'x\udfff', '\udc00\ud800', '😀'.slice(0, 1), 'a\ud83dz'])(
    'refuses the lone surrogate in %j',
    (text) => {
      expect(textFault(text)).toMatch(/lone surrogate/);
    },
  );
});

describe('malformedText', () => {
  it('names every bad field by its dotted path, keys included', () => {
    const errors = malformedText(
      {
        title: 'ok',
        note: 'bad\u0000',
        criteria: [{ id: 'fine' }, { id: '\ud800' }],
        'key\u0000': 1,
      },
      '',
    );
    expect(errors.map((e) => e.field)).toEqual(['note', 'criteria.1.id', 'key\u0000']);
    expect(errors[0].messages).toEqual(['note must not contain the NUL character (\\u0000)']);
  });

  it('finds nothing in clean input and ignores non-strings', () => {
    expect(malformedText({ a: 1, b: null, c: [true, { d: 'x' }] }, '')).toEqual([]);
    expect(malformedText(undefined, '')).toEqual([]);
  });

  it('names a whole string body "body"', () => {
    expect(malformedText('a,b\n\u0000', 'body').map((e) => e.field)).toEqual(['body']);
  });

  it('reports at most 20 fields', () => {
    expect(
      malformedText(
        Array.from({ length: 100 }, () => '\u0000'),
        '',
      ),
    ).toHaveLength(20);
  });
});
