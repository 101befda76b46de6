// The assembler: GNU/LLVM MSP430 syntax → a relocatable ObjectFile. One pass emits bytes; each instruction's size
// is fixed when it is read (the constant generator is used only for values known at that point, exactly as
// llvm-mc does), and references are resolved at the end of the file or left as relocations for the linker.
import { InputError, combineInputErrors } from '../../common/errors.ts';
import { EncodeError, encode } from '../encode.ts';
import { EMULATED_BY_NAME, OP_BY_NAME, constantEncoding, type OpDef } from '../isa.ts';
import { extWordIndex, type Instruction, type Operand } from '../instruction.ts';
import { ensureSize, newSection, sectionFlags, type ObjectFile, type RelocKind, type Section, type SymbolDef } from '../../link/object.ts';
import { ExprError, SECTION_BASE, evaluate, parseExpr, parseWholeExpr, type Expr, type Value } from './expr.ts';
import { OperandError, parseOperand, splitOperands, type OperandSyntax } from './operands.ts';
import { sancusOpByName } from '../sancus-isa.ts';

interface Fixup {
  section: Section;
  offset: number;
  kind: RelocKind;
  expr: Expr;
  /** Location value where the expression was written (for `.`/`$`). */
  here: Value;
  line: number;
  file: string;
}

interface Label {
  section: string;
  offset: number;
}

export interface AssembleOptions {
  /** Predefined absolute symbols (e.g. peripheral register addresses from the board). */
  defines?: Record<string, number>;
}

const isLocalName = (name: string) => name.startsWith('.L') || /^\.L?\d+\$\d+$/.test(name);

class Assembler {
  private sections = new Map<string, Section>();
  private current!: Section;
  private labels = new Map<string, Label>();
  private equates = new Map<string, { expr: Expr; here: Value; line: number }>();
  private bindings = new Map<string, 'global' | 'weak'>();
  private types = new Map<string, 'func' | 'object'>();
  private fixups: Fixup[] = [];
  private localCounts = new Map<string, number>();
  private line = 0;
  private evaluating = new Set<string>();
  /** Every error of the file, so a user sees them all in one run (`assemble` reports up to MAX_ERRORS). */
  readonly errors: InputError[] = [];

  constructor(
    private file: string,
    private options: AssembleOptions,
  ) {
    this.switchSection('.text');
  }

  private error(msg: string): never {
    throw new InputError(msg, { file: this.file, line: this.line });
  }

  /** Runs one statement or one fixup; an input error is recorded and assembly goes on with the next one. */
  attempt(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.errors.push(e);
    }
  }

  private switchSection(name: string, flags?: Partial<Section>): void {
    let s = this.sections.get(name);
    if (!s) {
      s = newSection(name, flags);
      this.sections.set(name, s);
    } else if (flags) {
      Object.assign(s, flags);
    }
    this.current = s;
  }

  private get here(): Value {
    return { sym: SECTION_BASE + this.current.name, off: this.current.size };
  }

  // ---- symbols --------------------------------------------------------------------------------------------

  private lookup = (name: string): Value | undefined => {
    const l = this.labels.get(name);
    if (l) return { sym: SECTION_BASE + l.section, off: l.offset };
    const eq = this.equates.get(name);
    if (eq) {
      if (this.evaluating.has(name)) this.error(`symbol '${name}' is defined in terms of itself`);
      this.evaluating.add(name);
      try {
        return evaluate(eq.expr, { lookup: this.lookup, here: eq.here });
      } finally {
        this.evaluating.delete(name);
      }
    }
    const d = this.options.defines?.[name];
    if (d !== undefined) return { off: d };
    return undefined;
  };

  private eval(expr: Expr, here = this.here): Value | undefined {
    try {
      return evaluate(expr, { lookup: this.lookup, here });
    } catch (e) {
      if (e instanceof ExprError) this.error(e.message);
      throw e;
    }
  }

  private defineLabel(name: string): void {
    if (this.labels.has(name) || this.equates.has(name)) this.error(`symbol '${name}' is already defined`);
    this.labels.set(name, { section: this.current.name, offset: this.current.size });
  }

  /** GNU numeric local labels: `1:` defines, `1b`/`1f` refer to the nearest one backwards/forwards. */
  private numericLabel(n: string, dir: 'def' | 'b' | 'f'): string {
    const count = this.localCounts.get(n) ?? 0;
    if (dir === 'def') {
      this.localCounts.set(n, count + 1);
      return `.L${n}$${count + 1}`;
    }
    if (dir === 'b') {
      if (count === 0) this.error(`'${n}b' refers to no earlier '${n}:' label`);
      return `.L${n}$${count}`;
    }
    return `.L${n}$${count + 1}`;
  }

  private renameLocal(e: Expr): Expr {
    switch (e.k) {
      case 'sym': {
        const m = /^(\d+)([bf])$/.exec(e.name);
        return m ? { k: 'sym', name: this.numericLabel(m[1]!, m[2] as 'b' | 'f') } : e;
      }
      case 'un':
        return { ...e, a: this.renameLocal(e.a) };
      case 'bin':
        return { ...e, a: this.renameLocal(e.a), b: this.renameLocal(e.b) };
      default:
        return e;
    }
  }

  private expr(text: string): Expr {
    try {
      return this.renameLocal(parseWholeExpr(text.trim()));
    } catch (e) {
      if (e instanceof ExprError) this.error(e.message);
      throw e;
    }
  }

  // ---- emission -------------------------------------------------------------------------------------------

  private emitBytes(bytes: ArrayLike<number>): void {
    const s = this.current;
    if (s.nobits) {
      for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) this.error(`section '${s.name}' holds no data (nobits): only .skip/.space may reserve room`);
      s.size += bytes.length;
      return;
    }
    const at = s.size;
    ensureSize(s, at + bytes.length);
    for (let i = 0; i < bytes.length; i++) s.bytes[at + i] = bytes[i]! & 0xff;
  }

  private fixup(kind: RelocKind, offset: number, expr: Expr, here: Value): void {
    this.fixups.push({ section: this.current, offset, kind, expr, here, line: this.line, file: this.file });
  }

  // ---- statements -----------------------------------------------------------------------------------------

  assembleLine(raw: string, lineNo: number): void {
    this.line = lineNo;
    let text = stripComment(raw).trim();
    // labels (several may precede a statement)
    for (;;) {
      const m = /^([A-Za-z_.$][\w.$]*|\d+):/.exec(text);
      if (!m) break;
      const name = /^\d+$/.test(m[1]!) ? this.numericLabel(m[1]!, 'def') : m[1]!;
      this.defineLabel(name);
      text = text.slice(m[0].length).trim();
    }
    if (text === '') return;
    const assign = /^([A-Za-z_.$][\w.$]*)\s*=\s*(.+)$/.exec(text);
    if (assign && !assign[1]!.startsWith('.')) return this.equate(assign[1]!, assign[2]!);
    const m = /^(\S+)\s*(.*)$/.exec(text)!;
    const word = m[1]!.toLowerCase();
    const rest = m[2]!;
    if (word.startsWith('.') && !OP_BY_NAME.has(word)) return this.directive(word, rest);
    // Sancus words (../sancus-isa.ts): implicit register operands only, so one data word.
    const sancus = sancusOpByName(word);
    if (sancus) {
      if (rest.trim() !== '') this.error(`${word} takes no operands (its inputs are r9–r15)`);
      return this.directive('.word', String(sancus.word));
    }
    this.instruction(word, rest);
  }

  private equate(name: string, exprText: string): void {
    if (this.labels.has(name)) this.error(`symbol '${name}' is already a label`);
    this.equates.set(name, { expr: this.expr(exprText), here: this.here, line: this.line });
  }

  private directive(d: string, rest: string): void {
    const args = () => splitOperands(rest);
    switch (d) {
      case '.text':
      case '.data':
      case '.bss':
        return this.switchSection(d);
      case '.section': {
        const parts = args();
        const name = parts[0];
        if (!name) this.error('.section needs a name');
        const flags: Partial<Section> = {};
        if (parts[1] !== undefined) {
          const f = parts[1].replace(/"/g, '');
          Object.assign(flags, { alloc: f.includes('a'), write: f.includes('w'), exec: f.includes('x') });
        }
        if (parts[2] !== undefined) flags.nobits = parts[2].replace(/^[@%]/, '') === 'nobits';
        else if (parts[1] !== undefined) flags.nobits = sectionFlags(name).nobits;
        return this.switchSection(name, parts.length > 1 ? flags : undefined);
      }
      case '.word':
      case '.short':
      case '.hword':
      case '.2byte':
        return this.data(args(), 2, 'abs16');
      case '.byte':
        return this.data(args(), 1, 'abs8');
      case '.long':
      case '.4byte':
        return this.data(args(), 4, 'abs32');
      case '.ascii':
      case '.asciz':
      case '.string':
        for (const a of args()) {
          const bytes = parseString(a, (msg) => this.error(msg));
          this.emitBytes(d === '.ascii' ? bytes : [...bytes, 0]);
        }
        return;
      case '.skip':
      case '.space': {
        const [n, fill] = args();
        const count = this.absolute(n ?? '', d);
        if (count < 0) this.error(`${d}: negative size ${count}`);
        const f = fill !== undefined ? this.absolute(fill, d) : 0;
        this.emitBytes(new Array<number>(count).fill(f));
        return;
      }
      case '.fill': {
        const [r, sz, v] = args();
        const repeat = this.absolute(r ?? '', d);
        const size = sz !== undefined ? this.absolute(sz, d) : 1;
        const value = v !== undefined ? this.absolute(v, d) : 0;
        const bytes: number[] = [];
        for (let i = 0; i < repeat; i++) for (let k = 0; k < size; k++) bytes.push(k < 4 ? (value >>> (8 * k)) & 0xff : 0);
        this.emitBytes(bytes);
        return;
      }
      case '.align':
      case '.p2align':
      case '.balign': {
        // llvm-mc's MSP430 target (and GNU as for msp430) reads .align as a power of two, like .p2align.
        const [n, fill] = args();
        const v = this.absolute(n ?? '', d);
        const bytes = d === '.balign' ? v : 1 << v;
        if (bytes <= 0 || (bytes & (bytes - 1)) !== 0) this.error(`${d}: alignment ${bytes} is not a power of two`);
        this.current.align = Math.max(this.current.align, bytes);
        const pad = (bytes - (this.current.size % bytes)) % bytes;
        this.emitBytes(new Array<number>(pad).fill(fill !== undefined ? this.absolute(fill, d) : 0));
        return;
      }
      case '.even':
        if (this.current.size % 2) this.emitBytes([0]);
        return;
      case '.org': {
        const v = this.eval(this.expr(rest));
        if (!v) this.error('.org needs a value known at this point');
        const target = v.sym === undefined ? v.off : v.sym === SECTION_BASE + this.current.name ? v.off : this.error('.org must be in the current section');
        if (target < this.current.size) this.error(`.org ${target} moves backwards (location is ${this.current.size})`);
        this.emitBytes(new Array<number>(target - this.current.size).fill(0));
        return;
      }
      case '.equ':
      case '.set': {
        const [name, ...value] = args();
        if (!name || value.length === 0) this.error(`${d} needs a name and a value`);
        if (d === '.set') this.equates.delete(name);
        return this.equate(name, value.join(','));
      }
      case '.comm':
      case '.lcomm': {
        // Common symbols (C tentative definitions, as clang emits them): room in .bss, global for .comm. The linker
        // has no separate common pass, so two objects defining one .comm symbol is a duplicate definition.
        const [name, sizeText, alignText] = args();
        if (!name || sizeText === undefined) this.error(`${d} needs a name and a size`);
        const size = this.absolute(sizeText, d);
        const align = alignText !== undefined ? this.absolute(alignText, d) : Math.min(size, 2);
        const back = this.current;
        this.switchSection('.bss');
        if (align > 1) {
          if ((align & (align - 1)) !== 0) this.error(`${d}: alignment ${align} is not a power of two`);
          this.current.align = Math.max(this.current.align, align);
          this.emitBytes(new Array<number>((align - (this.current.size % align)) % align).fill(0));
        }
        this.defineLabel(name);
        this.emitBytes(new Array<number>(size).fill(0));
        if (d === '.comm') this.bindings.set(name, 'global');
        this.current = back;
        return;
      }
      case '.global':
      case '.globl':
      case '.weak':
        for (const a of args()) this.bindings.set(a, d === '.weak' ? 'weak' : 'global');
        return;
      case '.type': {
        const [name, type] = args();
        if (name && type) this.types.set(name, /function/.test(type) ? 'func' : 'object');
        return;
      }
      case '.size':
      case '.file':
      case '.ident':
      case '.local':
      case '.cfi_sections':
      case '.cfi_startproc':
      case '.cfi_endproc':
      case '.mspabi_attribute':
        return; // accepted for compiler output; they carry nothing the image needs
      case '.end':
        return;
      default:
        this.error(`unknown directive '${d}'`);
    }
  }

  private absolute(text: string, what: string): number {
    const v = this.eval(this.expr(text));
    if (!v || v.sym !== undefined) this.error(`${what}: '${text}' must be a constant known at this point`);
    return v.off;
  }

  private data(items: string[], size: 1 | 2 | 4, kind: RelocKind): void {
    if (items.length === 0) this.error('expected at least one value');
    for (const item of items) {
      const e = this.expr(item);
      const here = this.here;
      const v = this.eval(e, here);
      if (v && v.sym === undefined) {
        checkRange(v.off, size, (m) => this.error(m));
        this.emitBytes(le(v.off, size));
      } else {
        this.fixup(kind, this.current.size, e, here);
        this.emitBytes(new Array<number>(size).fill(0));
      }
    }
  }

  // ---- instructions ---------------------------------------------------------------------------------------

  private instruction(word: string, rest: string): void {
    if (this.current.nobits) this.error(`instruction in nobits section '${this.current.name}'`);
    if (this.current.size % 2) this.error('instruction at an odd address (add .align 1 or .even before it)');
    const sm = /^(.*?)(?:\.([bw]))?$/.exec(word)!;
    const base = sm[1]!;
    const byte = sm[2] === 'b';
    const operands = rest.trim() === '' ? [] : splitOperands(rest);
    const emu = EMULATED_BY_NAME.get(base);
    let op: OpDef;
    let texts: string[];
    let useConstants = true;
    if (emu) {
      if (byte && !emu.byteForm) this.error(`'${base}' has no .b form`);
      const want = emu.src === 'S' || emu.src === 'D' || emu.dst === 'D' ? 1 : 0;
      if (operands.length !== want) this.error(`'${base}' takes ${want === 0 ? 'no operand' : 'one operand'}, got ${operands.length}`);
      const user = operands[0] ?? '';
      const fill = (t: string) => (t === 'S' || t === 'D' ? user : t);
      op = OP_BY_NAME.get(emu.base)!;
      useConstants = emu.constantGenerator !== false;
      texts = [fill(emu.src), fill(emu.dst!)];
    } else {
      const found = OP_BY_NAME.get(base);
      if (!found) this.error(`unknown instruction '${word}'`);
      op = found;
      texts = operands;
    }
    if (byte && !op.byteForm) this.error(`'${op.mnemonic}' has no .b form`);
    if (op.constantGenerator === false) useConstants = false;
    const want = op.format === 'I' ? 2 : op.format === 'J' ? 1 : op.timing === 'reti' ? 0 : 1;
    if (texts.length !== want) this.error(`'${base}' takes ${want} operand${want === 1 ? '' : 's'}, got ${texts.length}`);

    const start = this.current.size;
    const here = this.here;
    if (op.format === 'J') return this.jump(op, texts[0]!, here);

    const pending: { which: 'src' | 'dst'; kind: RelocKind; expr: Expr }[] = [];
    const ins: Instruction = { op, byte };
    const syn = texts.map((t) => {
      try {
        return this.renameOperand(parseOperand(t));
      } catch (e) {
        if (e instanceof OperandError || e instanceof ExprError) this.error(`operand '${t}': ${e.message}`);
        throw e;
      }
    });
    if (op.format === 'I') {
      ins.src = this.operand(syn[0]!, 'src', useConstants, pending);
      ins.dst = this.operand(syn[1]!, 'dst', useConstants, pending);
    } else if (syn[0]) {
      ins.src = this.operand(syn[0], 'src', useConstants, pending);
    }
    let words: number[];
    try {
      words = encode(ins);
    } catch (e) {
      if (e instanceof EncodeError) this.error(e.message);
      throw e;
    }
    this.emitBytes(words.flatMap((w) => [w & 0xff, w >> 8]));
    for (const p of pending) this.fixup(p.kind, start + 2 * extWordIndex(ins, p.which), p.expr, here);
  }

  private renameOperand(o: OperandSyntax): OperandSyntax {
    return 'expr' in o ? { ...o, expr: this.renameLocal(o.expr) } : o;
  }

  /** Operand syntax → machine operand; values not known yet become fixups on the extension word. */
  private operand(
    o: OperandSyntax,
    which: 'src' | 'dst',
    useConstants: boolean,
    pending: { which: 'src' | 'dst'; kind: RelocKind; expr: Expr }[],
  ): Operand {
    const known = (e: Expr) => this.eval(e);
    switch (o.kind) {
      case 'reg':
        return { mode: 'reg', reg: o.reg, value: 0 };
      case 'indirect':
        if (which === 'dst') return { mode: 'indexed', reg: o.reg, value: 0 }; // GNU as: @rN as destination is 0(rN)
        return { mode: 'indirect', reg: o.reg, value: 0 };
      case 'autoinc':
        if (which === 'dst') this.error(`@r${o.reg}+ cannot be a destination`);
        return { mode: 'autoinc', reg: o.reg, value: 0 };
      case 'immediate': {
        if (which === 'dst') this.error('an immediate cannot be a destination');
        const v = known(o.expr);
        if (v && v.sym === undefined) {
          checkRange(v.off, 2, (m) => this.error(m));
          // The constant generator whenever the value allows, as llvm-mc does (byte forms included; not CALL/BR).
          if (useConstants && constantEncoding(v.off)) return { mode: 'const', reg: 3, value: v.off };
          return { mode: 'immediate', reg: 0, value: v.off & 0xffff };
        }
        pending.push({ which, kind: 'abs16', expr: o.expr });
        return { mode: 'immediate', reg: 0, value: 0 };
      }
      case 'absolute':
      case 'indexed': {
        const v = known(o.expr);
        const mode = o.kind;
        const reg = o.kind === 'indexed' ? o.reg : 2;
        if (v && v.sym === undefined) {
          checkRange(v.off, 2, (m) => this.error(m));
          return { mode, reg, value: v.off & 0xffff };
        }
        pending.push({ which, kind: 'abs16', expr: o.expr });
        return { mode, reg, value: 0 };
      }
      case 'symbolic':
        // GNU semantics: the operand names the target address; the word holds target − its own address.
        pending.push({ which, kind: 'pcrel16', expr: o.expr });
        return { mode: 'symbolic', reg: 0, value: 0 };
    }
  }

  private jump(op: OpDef, text: string, here: Value): void {
    const t = text.trim();
    let e: Expr;
    try {
      const p = parseExpr(t);
      if (p.end !== t.length) throw new ExprError(`unexpected '${t.slice(p.end)}'`);
      e = this.renameLocal(p.expr);
    } catch (err) {
      if (err instanceof ExprError) this.error(`jump target '${t}': ${err.message}`);
      throw err;
    }
    this.fixup('pcrel10', this.current.size, e, here);
    this.emitBytes(le(encode({ op, byte: false, offset: 0 })[0]!, 2));
  }

  // ---- finish ---------------------------------------------------------------------------------------------

  finish(): ObjectFile {
    const externals = new Set<string>();
    for (const f of this.fixups) this.attempt(() => this.resolve(f, externals));
    const symbols: SymbolDef[] = [];
    for (const [name, l] of this.labels) {
      if (isLocalName(name)) continue;
      symbols.push({
        name,
        section: l.section,
        value: l.offset,
        binding: this.bindings.get(name) ?? 'local',
        defined: true,
        kind: this.types.get(name),
      });
    }
    for (const [name, eq] of this.equates) {
      if (isLocalName(name)) continue;
      this.attempt(() => {
        this.line = eq.line;
        const v = this.eval(eq.expr, eq.here);
        if (!v) this.error(`'${name}' cannot be evaluated: it uses an undefined symbol`);
        const binding = this.bindings.get(name) ?? 'local';
        if (v.sym === undefined) symbols.push({ name, value: v.off, binding, defined: true });
        else if (v.sym.startsWith(SECTION_BASE)) symbols.push({ name, section: v.sym.slice(1), value: v.off, binding, defined: true });
        else this.error(`'${name}' is an alias of the external '${v.sym}', which an object file cannot express`);
      });
    }
    for (const name of externals) symbols.push({ name, value: 0, binding: this.bindings.get(name) === 'weak' ? 'weak' : 'global', defined: false });
    for (const [name] of this.bindings) {
      if (!this.labels.has(name) && !this.equates.has(name) && !externals.has(name)) {
        symbols.push({ name, value: 0, binding: this.bindings.get(name)!, defined: false });
      }
    }
    // The default .text/.data/.bss exist from the start; drop them when nothing went into them.
    const defaults = new Set(['.text', '.data', '.bss']);
    const sections = [...this.sections.values()].filter((s) => s.size > 0 || !defaults.has(s.name) || this.labelsIn(s.name));
    return { file: this.file, sections, symbols };
  }

  private labelsIn(section: string): boolean {
    for (const l of this.labels.values()) if (l.section === section) return true;
    return false;
  }

  private resolve(f: Fixup, externals: Set<string>): void {
    this.line = f.line;
    const v = this.eval(f.expr, f.here);
    const s = f.section;
    if (!v) {
      // A symbol that is never defined here is external, as in GNU as; the linker must find it.
      const missing = firstUndefined(f.expr, this.lookup);
      if (missing === undefined) this.error('expression cannot be evaluated');
      if (/^\.L\d+\$\d+$/.test(missing)) this.error(`'${missing.replace(/^\.L(\d+)\$\d+$/, '$1f')}' refers to no later numeric label`);
      if (missing.startsWith('.L')) this.error(`undefined local label '${missing}'`);
      externals.add(missing);
      const partial = this.eval(f.expr.k === 'sym' ? { k: 'num', v: 0 } : substitute(f.expr, missing), f.here);
      if (!partial || partial.sym !== undefined) this.error(`expression with external '${missing}' must be symbol ± constant`);
      return this.relocate(f, missing, partial.off);
    }
    const P = f.offset;
    const inSection = v.sym === SECTION_BASE + s.name;
    switch (f.kind) {
      case 'pcrel10': {
        if (inSection) {
          const d = v.off - (P + 2);
          if (d % 2) this.error(`jump target is at an odd distance (${d} bytes)`);
          if (d < -1024 || d > 1022) this.error(`jump target is ${d} bytes away: out of range (-1024..+1022); use br`);
          return this.patch(s, P, ((d / 2) & 0x3ff) | (read16(s, P) & 0xfc00), 2);
        }
        return this.relocate(f, v.sym ?? '', v.off);
      }
      case 'pcrel16':
        if (inSection) return this.patch(s, P, (v.off - P) & 0xffff, 2);
        return this.relocate(f, v.sym ?? '', v.off);
      default: {
        const size = f.kind === 'abs8' ? 1 : f.kind === 'abs32' ? 4 : 2;
        if (v.sym === undefined) {
          checkRange(v.off, size, (m) => this.error(m));
          return this.patch(s, P, v.off, size);
        }
        return this.relocate(f, v.sym, v.off);
      }
    }
  }

  private relocate(f: Fixup, symbol: string, addend: number): void {
    f.section.relocs.push({ offset: f.offset, kind: f.kind, symbol, addend, line: f.line, file: f.file });
  }

  private patch(s: Section, at: number, value: number, size: number): void {
    for (let i = 0; i < size; i++) s.bytes[at + i] = (value >>> (8 * i)) & 0xff;
  }
}

function read16(s: Section, at: number): number {
  return s.bytes[at]! | (s.bytes[at + 1]! << 8);
}

function le(v: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push((v >>> (8 * i)) & 0xff);
  return out;
}

function checkRange(v: number, size: number, fail: (m: string) => never): void {
  const bits = size * 8;
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** bits - 1;
  if (v < lo || v > hi) fail(`value ${v} does not fit in ${bits} bits`);
}

function firstUndefined(e: Expr, lookup: (n: string) => Value | undefined): string | undefined {
  switch (e.k) {
    case 'sym':
      return lookup(e.name) ? undefined : e.name;
    case 'un':
      return firstUndefined(e.a, lookup);
    case 'bin':
      return firstUndefined(e.a, lookup) ?? firstUndefined(e.b, lookup);
    default:
      return undefined;
  }
}

/** Replaces an external symbol by 0 to evaluate the constant part of `sym ± const`. */
function substitute(e: Expr, name: string): Expr {
  switch (e.k) {
    case 'sym':
      return e.name === name ? { k: 'num', v: 0 } : e;
    case 'un':
      return { ...e, a: substitute(e.a, name) };
    case 'bin':
      return { ...e, a: substitute(e.a, name), b: substitute(e.b, name) };
    default:
      return e;
  }
}

/** Removes a `;` or `//` comment, leaving quoted strings alone. */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") {
      // a character constant like ';' must not start a comment
      quote = c;
      continue;
    }
    if (c === ';' || (c === '/' && line[i + 1] === '/')) return line.slice(0, i);
  }
  return line;
}

function parseString(text: string, fail: (m: string) => never): number[] {
  const t = text.trim();
  if (!t.startsWith('"') || !t.endsWith('"') || t.length < 2) fail(`expected a "string", got ${t}`);
  const out: number[] = [];
  const body = t.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const n = body[++i];
    const esc: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, '"': 34, "'": 39, a: 7, b: 8, f: 12, v: 11 };
    if (n === 'x') {
      const h = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!h) fail('bad \\x escape');
      out.push(parseInt(h[0], 16));
      i += h[0].length;
    } else if (n !== undefined && /[0-7]/.test(n)) {
      // octal escape: up to three digits (\0, \12, \177)
      const o = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out.push(parseInt(o, 8) & 0xff);
      i += o.length - 1;
    } else if (n !== undefined && n in esc) out.push(esc[n]!);
    else fail(`unknown escape '\\${n}'`);
  }
  return out;
}

/** How many errors of one file are listed (the rest are counted), as compilers cap theirs. */
export const MAX_ERRORS = 20;

/**
 * Assembles one source file into a relocatable object. Errors are one InputError listing every error of the file
 * (up to MAX_ERRORS), each as file:line: a statement with an error emits nothing and assembly goes on.
 */
export function assemble(source: string, file = '<input>', options: AssembleOptions = {}): ObjectFile {
  const a = new Assembler(file, options);
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) a.attempt(() => a.assembleLine(lines[i]!, i + 1));
  const object = a.finish();
  // Fixups are resolved after the last line: list their errors in line order with the statements'.
  const errors = [...a.errors].sort((x, y) => (x.location?.line ?? 0) - (y.location?.line ?? 0));
  if (errors.length) throw combineInputErrors(errors, MAX_ERRORS);
  return object;
}
