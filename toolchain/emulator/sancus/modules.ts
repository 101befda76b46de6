// The module table of the core: NB_SPMS slots with their layout, ID and key, and the ID counter
// (sancus-core omsp_spm.v, omsp_spm_control.v). A slot's ranges are text [textStart, textEnd) ("public") and data
// [dataStart, dataEnd) ("secret"); all comparisons are unsigned 16-bit, as in the RTL.
import type { ModuleLayout } from '../../sancus/index.ts';

export interface ModuleSlot {
  id: number;
  vendorId: number;
  layout: ModuleLayout;
  /** The module key written by SM_ENABLE (what wrap/unwrap with r9 = 0 use). Only a debugger sees it. */
  key: Uint8Array;
}

export class ModuleTable {
  readonly slots: (ModuleSlot | undefined)[];
  /** omsp_spm_control.v `next_id`: 1 after a PUC, +1 per enable, −1 when an enable is cancelled. */
  nextId = 1;

  constructor(readonly size: number) {
    this.slots = new Array(size).fill(undefined);
  }

  /** PUC: every slot cleared (`INIT_SM` on puc_rst), IDs restart at 1. */
  reset(): void {
    this.slots.fill(undefined);
    this.nextId = 1;
  }

  get enabled(): number {
    let n = 0;
    for (const s of this.slots) if (s) n++;
    return n;
  }

  /** Slot index whose text holds `addr` (exec_spm), or −1. */
  textIndex(addr: number): number {
    const s = this.slots;
    for (let i = 0; i < s.length; i++) {
      const m = s[i];
      if (m !== undefined && addr >= m.layout.textStart && addr < m.layout.textEnd) return i;
    }
    return -1;
  }

  byId(id: number): number {
    return id === 0 ? -1 : this.slots.findIndex((m) => m?.id === id);
  }

  /** The first free slot (spms_first_disabled), or −1. */
  freeSlot(): number {
    return this.slots.findIndex((m) => m === undefined);
  }

  /**
   * omsp_spm.v `create_violation`: the new text range overlaps an enabled module's text. The RTL checks only text
   * against text (its data-range checks are commented out), so overlapping data ranges are not refused.
   */
  overlapsText(start: number, end: number): number {
    return this.slots.findIndex((m) => m !== undefined && start < m.layout.textEnd && end > m.layout.textStart);
  }
}
