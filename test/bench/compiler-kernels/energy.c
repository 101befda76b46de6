#include <stdint.h>
static int16_t V[64], I[64];
static uint32_t acc, wh;
uint32_t bench(void) {
  for (int k = 0; k < 64; k++) { V[k] = (int16_t)(23000 - k * 211); I[k] = (int16_t)(500 + k * 97 - 3000); }
  acc = 0; wh = 0;
  for (int k = 0; k < 64; k++) {
    int32_t p = (int32_t)V[k] * (int32_t)I[k];
    uint32_t e = (uint32_t)(p > 0 ? p : -p);
    acc += (e >> 8) * 205;
    while (acc >= 3600000UL) { acc -= 3600000UL; wh++; }
  }
  return wh * 1000 + (acc >> 12);
}
