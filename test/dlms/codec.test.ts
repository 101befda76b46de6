import { describe, expect, it } from 'vitest';
import { decodeAare, decodeAarq, decodeRlrq, encodeAare, encodeAarq, encodeRlre, encodeRlrq } from '../../host/dlms/acse.ts';
import { dataFromTypedJson, dataToJson, decodeDataBytes, encodeData, type CosemData } from '../../host/dlms/axdr.ts';
import { hex, unhex } from '../../host/dlms/bytes.ts';
import { DlmsDecodeError } from '../../host/dlms/errors.ts';
import { decodeInitiateRequest, decodeInitiateResponse, decodeRequest, decodeResponse, encodeInitiateRequest, encodeRequest, encodeResponse, type Request, type Response } from '../../host/dlms/xdlms.ts';
import { formatObis, parseObis } from '../../host/dlms/obis.ts';

describe('A-XDR data', () => {
  const samples: [CosemData, string][] = [
    [{ type: 'null' }, '00'],
    [{ type: 'boolean', value: true }, '0301'],
    [{ type: 'bit-string', value: '1010000011' }, '040aa0c0'],
    [{ type: 'double-long', value: -2 }, '05fffffffe'],
    [{ type: 'double-long-unsigned', value: 0x10 }, '0600000010'],
    [{ type: 'octet-string', value: unhex('0000280000ff') }, '09060000280000ff'],
    [{ type: 'visible-string', value: 'Gurux' }, '0a054775727578'],
    [{ type: 'utf8-string', value: 'é' }, '0c02c3a9'],
    [{ type: 'integer', value: -128 }, '0f80'],
    [{ type: 'long', value: -300 }, '10fed4'],
    [{ type: 'unsigned', value: 255 }, '11ff'],
    [{ type: 'long-unsigned', value: 0xfffe }, '12fffe'],
    [{ type: 'long64', value: -1n }, '14ffffffffffffffff'],
    [{ type: 'long64-unsigned', value: 1n << 63n }, '158000000000000000'],
    [{ type: 'enum', value: 30 }, '161e'],
    [{ type: 'float32', value: 1.5 }, '173fc00000'],
    [{ type: 'float64', value: -2 }, '18c000000000000000'],
    [{ type: 'date-time', value: unhex('07ea0b1a04000000ff000000') }, '1907ea0b1a04000000ff000000'],
    [{ type: 'date', value: unhex('07ea0b1a04') }, '1a07ea0b1a04'],
    [{ type: 'time', value: unhex('0c1e00ff') }, '1b0c1e00ff'],
    [{ type: 'dont-care' }, 'ff'],
    [{ type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] }, '02020f00161e'],
    [{ type: 'array', value: [] }, '0100'],
  ];
  for (const [d, h] of samples) {
    it(`${d.type} encodes as ${h} and back`, () => {
      expect(hex(encodeData(d))).toBe(h);
      expect(decodeDataBytes(unhex(h))).toEqual(d);
    });
  }

  it('compact-array: type description, then untagged contents (Blue Book compact-array)', () => {
    const simple: CosemData = { type: 'compact-array', description: { type: 'long-unsigned' }, value: [{ type: 'long-unsigned', value: 1 }, { type: 'long-unsigned', value: 2 }] };
    expect(hex(encodeData(simple))).toBe('13' + '12' + '04' + '0001' + '0002');
    expect(decodeDataBytes(unhex('131204' + '00010002'))).toEqual(simple);
    const rows: CosemData = {
      type: 'compact-array',
      description: { type: 'structure', members: [{ type: 'octet-string' }, { type: 'double-long-unsigned' }, { type: 'array', count: 2, element: { type: 'integer' } }] },
      value: [{ type: 'structure', value: [{ type: 'octet-string', value: unhex('aabb') }, { type: 'double-long-unsigned', value: 5 }, { type: 'array', value: [{ type: 'integer', value: -1 }, { type: 'integer', value: 1 }] }] }],
    };
    expect(hex(encodeData(rows))).toBe('13' + '0203' + '09' + '06' + '010002' + '0f' + '09' + '02aabb' + '00000005' + 'ff01');
    expect(decodeDataBytes(encodeData(rows))).toEqual(rows);
    expect(() => decodeDataBytes(unhex('130004'))).toThrow(DlmsDecodeError); // null elements: no progress
    expect(() => decodeDataBytes(unhex('131203000100'))).toThrow(DlmsDecodeError); // half an element
  });

  it('long lengths use the 0x81/0x82 prefixes', () => {
    const big: CosemData = { type: 'octet-string', value: new Uint8Array(300) };
    expect(hex(encodeData(big)).slice(0, 8)).toBe('0982012c');
    expect(decodeDataBytes(encodeData(big))).toEqual(big);
  });

  it('malformed data is a DlmsDecodeError, never another exception', () => {
    for (const h of ['', '06', '0901', '0905aa', '0203', 'fe', '0180', '0f', '02850000000000', '01ff']) {
      expect(() => decodeDataBytes(unhex(h)), h).toThrow(DlmsDecodeError);
    }
    const deep = '0101'.repeat(100) + '00';
    expect(() => decodeDataBytes(unhex(deep))).toThrow(/deeper/);
  });

  it('refuses out-of-range values when encoding', () => {
    expect(() => encodeData({ type: 'unsigned', value: 256 })).toThrow(DlmsDecodeError);
    expect(() => encodeData({ type: 'date-time', value: new Uint8Array(3) })).toThrow(DlmsDecodeError);
  });

  it('typed JSON in, plain JSON out', () => {
    const d = dataFromTypedJson({ type: 'structure', value: [{ type: 'octet-string', value: 'a0b1' }, { type: 'long64-unsigned', value: '18446744073709551615' }] });
    expect(dataToJson(d)).toEqual(['a0b1', '18446744073709551615']);
    expect(() => dataFromTypedJson({ type: 'nonsense', value: 1 })).toThrow(DlmsDecodeError);
  });

  it('OBIS codes', () => {
    expect(hex(parseObis('1.0.1.8.0.255'))).toBe('010001080 0ff'.replace(' ', ''));
    expect(formatObis(unhex('0000280000ff'))).toBe('0.0.40.0.0.255');
    expect(() => parseObis('1.0.1.8.0')).toThrow(DlmsDecodeError);
    expect(() => parseObis('1.0.1.8.0.256')).toThrow(DlmsDecodeError);
  });
});

// Wire bytes of the Gurux client and server (../shared/research/dlms-interop.md): our encoder must produce what a
// mainstream client sends, and our decoder must read what a mainstream server answers.
const GURUX_INITIATE = '0100000006' + '5f1f0400401e1d' + 'ffff';

describe('ACSE and xDLMS initiate, against the Gurux traces', () => {
  it('InitiateRequest is byte-identical', () => {
    const b = encodeInitiateRequest({ conformance: 0x401e1d, maxPduSize: 0xffff, dlmsVersion: 6 });
    expect(hex(b)).toBe(GURUX_INITIATE);
    expect(decodeInitiateRequest(b)).toEqual({ dedicatedKey: undefined, conformance: 0x401e1d, maxPduSize: 0xffff, dlmsVersion: 6 });
  });

  it('AARQ of the public client (no authentication) is byte-identical', () => {
    const b = encodeAarq({ context: 1, userInformation: unhex(GURUX_INITIATE) });
    expect(hex(b)).toBe('601da109060760857405080101be10040e' + GURUX_INITIATE);
    expect(decodeAarq(b).userInformation).toEqual(unhex(GURUX_INITIATE));
  });

  it('AARQ with LLS "Gurux" is byte-identical', () => {
    const b = encodeAarq({ context: 1, mechanism: 1, callingAuthValue: new TextEncoder().encode('Gurux'), userInformation: unhex(GURUX_INITIATE) });
    expect(hex(b)).toBe('6033a1090607608574050801018a0207808b0760857405080201ac0780054775727578be10040e' + GURUX_INITIATE);
    const d = decodeAarq(b);
    expect(d.mechanism).toBe(1);
    expect(new TextDecoder().decode(d.callingAuthValue)).toBe('Gurux');
  });

  it('decodes the Gurux server AARE (accepted, conformance 0x000018)', () => {
    const aare = unhex('6129a109060760857405080101a203020100a305a103020100be10040e0800065f1f040000001802000007');
    const a = decodeAare(aare);
    expect(a).toMatchObject({ context: 1, result: 0, diagnostic: 0, diagnosticSource: 1 });
    expect(decodeInitiateResponse(a.userInformation!)).toEqual({ conformance: 0x18, maxPduSize: 0x200, dlmsVersion: 6, vaaName: 7 });
    expect(hex(encodeAare(a))).toBe(hex(aare));
  });

  it('decodes an HLS AARE with responding title, mechanism and StoC', () => {
    const b = encodeAare({ context: 3, result: 0, diagnostic: 14, diagnosticSource: 1, respondingApTitle: unhex('4142434445464748'), mechanism: 5, respondingAuthValue: unhex('00112233445566778899aabbccddeeff'), userInformation: unhex('0800') });
    expect(hex(b)).toContain('a305a10302010e' + 'a40a04084142434445464748' + '88020780' + '89076085740508020' + '5' + 'aa12801000112233445566778899aabbccddeeff');
    const a = decodeAare(b);
    expect(a.mechanism).toBe(5);
    expect(hex(a.respondingAuthValue!)).toBe('00112233445566778899aabbccddeeff');
  });

  it('RLRQ/RLRE as Gurux sends and answers them', () => {
    expect(hex(encodeRlrq({ reason: 0 }))).toBe('6203800100');
    expect(hex(encodeRlre({ reason: 0 }))).toBe('6303800100');
    expect(decodeRlrq(unhex('6203800100'))).toEqual({ reason: 0 });
  });

  it('malformed ACSE is a DlmsDecodeError', () => {
    for (const h of ['60', '6005a1030601', '6102a100', '601da109060760857405080101be10040e01', '6203800100ff']) {
      expect(() => (h.startsWith('61') ? decodeAare(unhex(h)) : h.startsWith('62') ? decodeRlrq(unhex(h)) : decodeAarq(unhex(h))), h).toThrow(DlmsDecodeError);
    }
  });
});

describe('GET/SET/ACTION APDUs', () => {
  it('GET request of a register attribute matches the Gurux trace shape', () => {
    const q: Request = { kind: 'get', invokeId: 0xc1, ref: { descriptor: { classId: 3, ln: parseObis('1.0.1.8.0.255'), attr: 2 } } };
    expect(hex(encodeRequest(q))).toBe('c001c1000301000108 00ff0200'.replace(' ', ''));
    expect(decodeRequest(encodeRequest(q))).toEqual(q);
  });

  const requests: Request[] = [
    { kind: 'get', invokeId: 0xc1, ref: { descriptor: { classId: 7, ln: parseObis('1.0.99.1.0.255'), attr: 2 }, access: { selector: 2, params: { type: 'structure', value: [{ type: 'double-long-unsigned', value: 1 }, { type: 'double-long-unsigned', value: 2 }, { type: 'long-unsigned', value: 1 }, { type: 'long-unsigned', value: 0 }] } } } },
    { kind: 'get-next', invokeId: 0xc2, block: 7 },
    { kind: 'get-list', invokeId: 0xc3, refs: [{ descriptor: { classId: 8, ln: parseObis('0.0.1.0.0.255'), attr: 2 } }, { descriptor: { classId: 1, ln: parseObis('0.0.43.1.0.255'), attr: 2 } }] },
    { kind: 'set', invokeId: 0xc4, ref: { descriptor: { classId: 1, ln: parseObis('0.0.96.99.0.255'), attr: 2 } }, value: { type: 'unsigned', value: 9 } },
    { kind: 'set-first-block', invokeId: 0xc5, ref: { descriptor: { classId: 1, ln: parseObis('0.0.96.99.0.255'), attr: 2 } }, data: { last: false, block: 1, raw: unhex('0901') } },
    { kind: 'set-block', invokeId: 0xc5, data: { last: true, block: 2, raw: unhex('aa') } },
    { kind: 'set-list', invokeId: 0xc6, refs: [{ descriptor: { classId: 1, ln: parseObis('0.0.96.99.0.255'), attr: 2 } }], values: [{ type: 'null' }] },
    { kind: 'action', invokeId: 0xc7, method: { classId: 15, ln: parseObis('0.0.40.0.0.255'), method: 1 }, params: { type: 'octet-string', value: unhex('10') } },
    { kind: 'action', invokeId: 0xc7, method: { classId: 70, ln: parseObis('0.0.96.3.10.255'), method: 1 } },
    { kind: 'action-next', invokeId: 0xc8, block: 1 },
    { kind: 'action-list', invokeId: 0xc9, methods: [{ classId: 70, ln: parseObis('0.0.96.3.10.255'), method: 2 }], params: [{ type: 'integer', value: 0 }] },
    { kind: 'action-first-block', invokeId: 0xca, method: { classId: 1, ln: parseObis('0.0.96.99.0.255'), method: 1 }, data: { last: false, block: 1, raw: unhex('09') } },
    { kind: 'action-block', invokeId: 0xca, data: { last: true, block: 2, raw: unhex('00') } },
  ];
  for (const q of requests) it(`request ${q.kind} round-trips`, () => expect(decodeRequest(encodeRequest(q))).toEqual(q));

  const responses: Response[] = [
    { kind: 'get', invokeId: 0xc1, result: { data: { type: 'double-long-unsigned', value: 16 } } },
    { kind: 'get', invokeId: 0xc1, result: { dar: 3 } },
    { kind: 'get-block', invokeId: 0xc1, last: false, block: 1, raw: unhex('0102') },
    { kind: 'get-block', invokeId: 0xc1, last: true, block: 2, dar: 19 },
    { kind: 'get-list', invokeId: 0xc1, results: [{ data: { type: 'null' } }, { dar: 4 }] },
    { kind: 'set', invokeId: 0xc1, dar: 0 },
    { kind: 'set-block-ack', invokeId: 0xc1, block: 3 },
    { kind: 'set-last-block', invokeId: 0xc1, dar: 0, block: 4 },
    { kind: 'set-list', invokeId: 0xc1, dars: [0, 3] },
    { kind: 'action', invokeId: 0xc1, result: { result: 0, data: { data: { type: 'octet-string', value: unhex('1000') } } } },
    { kind: 'action', invokeId: 0xc1, result: { result: 3 } },
    { kind: 'action-block', invokeId: 0xc1, data: { last: false, block: 1, raw: unhex('ff') } },
    { kind: 'action-list', invokeId: 0xc1, results: [{ result: 0 }] },
    { kind: 'action-next-pblock', invokeId: 0xc1, block: 1 },
    { kind: 'exception', stateError: 1, serviceError: 6, invocationCounter: 99 },
    { kind: 'exception', stateError: 2, serviceError: 3 },
  ];
  for (const s of responses) it(`response ${s.kind} round-trips`, () => expect(decodeResponse(encodeResponse(s))).toEqual(s));

  it('a Gurux register response decodes', () => {
    expect(decodeResponse(unhex('c401c1000600000010'))).toEqual({ kind: 'get', invokeId: 0xc1, result: { data: { type: 'double-long-unsigned', value: 16 } } });
  });

  it('a Gurux server clock response with 18 stale trailing bytes: strict refuses, the client\'s lenient mode reads it', () => {
    // Captured from the Gurux C server example (9.0.2608.1701) over HDLC, issue 12 interop run.
    const b = unhex('c401c200090c07ea0b1a0400350100000000' + '090f090c07ea0b1a0400350100000000090f');
    expect(() => decodeResponse(b)).toThrow(DlmsDecodeError);
    expect(decodeResponse(b, true)).toEqual({ kind: 'get', invokeId: 0xc2, result: { data: { type: 'octet-string', value: unhex('07ea0b1a0400350100000000') } } });
  });

  it('truncated or trailing bytes are DlmsDecodeErrors', () => {
    const good = encodeRequest(requests[0]!);
    for (let n = 0; n < good.length; n++) expect(() => decodeRequest(good.subarray(0, n))).toThrow(DlmsDecodeError);
    expect(() => decodeRequest(new Uint8Array([...good, 0]))).toThrow(DlmsDecodeError);
    expect(() => decodeResponse(unhex('c409c1'))).toThrow(DlmsDecodeError);
  });
});
