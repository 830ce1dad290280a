import { expect } from 'chai';
import fc from 'fast-check';
import { stringifyJson } from '../../src/mappers/json-text';

describe('stringifyJson: the text JSON.stringify gives, faster for strings with nothing to escape', () => {
  it('equals JSON.stringify on any JSON value, strings with quotes, control characters and lone surrogates included', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', 'a\udfffb', '😀', '"\\\n\u0007', 'plain text'));
    const value = fc.letrec(tie => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(fc.property(value, v => {
      expect(stringifyJson(v)).to.equal(JSON.stringify(v));
    }), { numRuns: 500 });
  });

  it('leaves out what JSON.stringify leaves out, and honours toJSON', () => {
    const odd = { a: undefined, b: () => 1, c: Symbol('c'), d: [undefined, () => 1], e: new Date(0), f: { toJSON: () => 'x' }, 2: 'two', 1: 'one' };
    expect(stringifyJson(odd)).to.equal(JSON.stringify(odd));
    expect(stringifyJson(undefined)).to.equal('null');
  });
});
