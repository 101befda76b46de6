// The meter core (seed §4.3.2 computations, §4.5). Inputs: tick (clock driver, [t u32]), energy (metrology
// driver, [Wh u32][W u32]), command (CS security: tariff, prepaid, top-up, appliance, read). Outputs: credit
// (off-switch), log_security and log_metrology (logs), reading (CS security), reading_dc (DC security), han and
// appliance (HAN gateway), reply (CS security).
import * as core from './core';
import { IN } from '../lib/events';

@external("output", "credit") declare function credit(data: usize, len: i32): void;
@external("output", "log_security") declare function log_security(data: usize, len: i32): void;
@external("output", "log_metrology") declare function log_metrology(data: usize, len: i32): void;
@external("output", "reading") declare function reading(data: usize, len: i32): void;
@external("output", "reading_dc") declare function reading_dc(data: usize, len: i32): void;
@external("output", "han") declare function han(data: usize, len: i32): void;
@external("output", "appliance") declare function appliance(data: usize, len: i32): void;
@external("output", "reply") declare function reply(data: usize, len: i32): void;

/** Sends what the event just handled filled (core.coreOuts: every handler sets them, on every path). */
function emit(): void {
  const out = core.coreOuts();
  if (out & core.OUT_CREDIT) credit(core.CREDIT_BOX, 2);
  if (out & core.OUT_LOG_SEC) log_security(core.SEC_BOX, 8);
  if (out & core.OUT_LOG_MET) log_metrology(core.MET_BOX, 8);
  if (out & core.OUT_READING) {
    reading(core.READING_BOX, 12);
    reading_dc(core.READING_BOX, 12);
  }
  if (out & core.OUT_HAN) han(core.HAN_BOX, core.HAN_BYTES);
  if (out & core.OUT_APPLIANCE) appliance(core.APPLIANCE_BOX, 2);
  if (out & core.OUT_REPLY) reply(core.REPLY_BOX, 32);
}

// Each input's plaintext is at IN: the module runtime unwraps it there and calls the input with data = IN,
// its only caller (toolchain/sancus/module/compiled.ts INPUT_OFFSET; an input is no entry), so `data` needs no test —
// the logic reads at the constant address IN. The length is even and at most MAX_EVENT = 64
// (toolchain/sancus/module/runtime.ts): the `& 0x7f` changes nothing but lets the compiler compare it as one word.
export function input_tick(data: usize, len: i32): void {
  if ((<u32>len & 0x7f) < 4) return;
  core.coreTick(load<u32>(IN));
  emit();
}

export function input_energy(data: usize, len: i32): void {
  core.coreEnergy(<u32>len & 0x7f);
  emit();
}

export function input_command(data: usize, len: i32): void {
  core.coreCommand(<u32>len & 0x7f);
  emit();
}
