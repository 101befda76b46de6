// The DLMS server's read-only templates, in a file the server imports first (with objects.ts's VALS next):
// our compiler places static data in linear memory in the order files are initialised and copies an initial image
// from the module's text up to the last non-zero byte, so with every table ahead of the zero-filled buffers the
// image holds the tables only. (In RAM still: read through hasm.rom_u8, as firmware/lib/crypto/tables.ts's are, they
// would lie in the module's text, but the copy and compare loops cost more code than the server's budget has left:
// README.md "Measured".)
// AARE templates (BER, IEC 62056-5-3 §9.3): copied, then the variable bytes patched — cheaper in code than
// writing each byte. Head: 61 LL, application-context-name (A1 …, last byte the context), result (A2 … R),
// result-source-diagnostic (A3 … A1 … D). Auth: ACSE requirements (88), mechanism name (89 …, last byte the
// mechanism), responding-authentication-value (AA LL 80 LL).
// prettier-ignore
export const AARE_HEAD = memory.data<u8>([0x61, 0, 0xa1, 9, 0x06, 7, 0x60, 0x85, 0x74, 0x05, 0x08, 1, 1,
  0xa2, 3, 0x02, 1, 0, 0xa3, 5, 0xa1, 3, 0x02, 1, 0, 0xa4, 10, 0x04, 8]);

// DLMS-UA's object identifier, BER (IEC 62056-5-3 §9.4.2.2.2): joint-iso-ctt(2) country(16) country-name(756)
// identified-organization(5) DLMS-UA(8) — the prefix of the application context and mechanism names.
export const DLMS_OID = AARE_HEAD + 6;

// prettier-ignore
export const AARE_AUTH = memory.data<u8>([0x88, 2, 0x07, 0x80, 0x89, 7, 0x60, 0x85, 0x74, 0x05, 0x08, 2, 5, 0xaa, 0, 0x80, 0]);

// InitiateResponse (Green Book §9.5): 08, no QoS, DLMS version 6, conformance 5F 1F 04 00 + 3 bytes (patched),
// server-max-receive-pdu-size (MAX_PDU = 224 = 0x00E0), vaa-name 0x0007 (LN referencing).
// prettier-ignore
export const INITIATE_RESPONSE = memory.data<u8>([0x08, 0, 6, 0x5f, 0x1f, 4, 0, 0, 0, 0, 0x00, 0xe0, 0x00, 0x07]);

// reply_to_HLS_authentication as an action-request addresses it (Green Book §9.2.7.4 pass 3; Blue Book class 15):
// class id 15, Association LN 0.0.40.0.0.255, method 1 — the one request served before HLS pass 3 succeeds.
// prettier-ignore
export const REPLY_TO_HLS = memory.data<u8>([0, 15, 0, 0, 40, 0, 0, 255, 1]);
