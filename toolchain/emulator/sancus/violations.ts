// What a protection violation records. sancus-core omsp_spm.v raises `violation` for: mem_violation (a module's
// text touched other than by its own reads or by enable/disable/verify; its data touched from outside its text),
// exec_violation (its text entered anywhere but textStart), create_violation (a new text range overlaps an enabled
// one); omsp_register_file.v for a stack-guard overflow; omsp_spm_control.v when the ID counter reaches 0xFFF0;
// omsp_atomicity_monitor.v (ATOMICITY_MONITOR builds) for a nested or too long SM_CLIX and a module entered inside one.

export type ViolationKind = 'read' | 'write' | 'exec' | 'create' | 'stack' | 'id-overflow' | 'atomicity';

export interface Violation {
  kind: ViolationKind;
  /** Address of the instruction that made the access (or that was fetched, for exec). */
  pc: number;
  /**
   * The address touched (exec: the fetched address; create: the new text start; stack: the SP; atomicity: r15 of
   * the clix, or the entry address of the module entered inside a clix section).
   */
  address: number;
  /** ID of the module whose protection was violated (0 when none, e.g. stack or id-overflow). */
  module: number;
  /** ID of the module the offending code runs in (0 = unprotected). */
  from: number;
  /** Made by the crypto unit on the instruction's behalf rather than by the CPU. */
  crypto: boolean;
  cycle: number;
}

export function describeViolation(v: Violation): string {
  const h = (n: number) => '0x' + n.toString(16).padStart(4, '0');
  const who = v.from === 0 ? 'unprotected code' : `module ${v.from}`;
  switch (v.kind) {
    case 'exec':
      return `exec violation: ${who} entered module ${v.module} at ${h(v.address)} (not its entry point)`;
    case 'create':
      return `create violation: text at ${h(v.address)} overlaps module ${v.module}`;
    case 'stack':
      return `stack-guard violation: SP ${h(v.address)} below the guard (pc ${h(v.pc)})`;
    case 'atomicity':
      return v.module === 0
        ? `atomicity violation: SM_CLIX at ${h(v.pc)} with r15 ${h(v.address)} (nested in an open section, or above ATOM_BOUND)`
        : `atomicity violation: ${who} entered module ${v.module} at ${h(v.address)} inside an SM_CLIX section`;
    case 'id-overflow':
      return 'module ID counter reached 0xfff0';
    default:
      return `${v.kind} violation: ${who} at pc ${h(v.pc)} ${v.kind === 'read' ? 'read' : 'wrote'} ${h(v.address)} of module ${v.module}${v.crypto ? ' (crypto unit)' : ''}`;
  }
}
