#include <stdint.h>
static const uint16_t COEF[16] = {120, 340, 810, 1500, 2400, 3300, 4000, 4300, 4300, 4000, 3300, 2400, 1500, 810, 340, 120};
static uint16_t X[80];
static uint16_t Y[64];
uint32_t bench(void) {
  for (int i = 0; i < 80; i++) X[i] = (uint16_t)((i * 2621 + 7) & 0x0fff);
  for (int n = 0; n < 64; n++) {
    uint32_t acc = 0;
    for (int k = 0; k < 16; k++) acc += (uint32_t)X[n + k] * (uint32_t)COEF[k];
    Y[n] = (uint16_t)(acc >> 15);
  }
  uint32_t s = 0;
  for (int n = 0; n < 64; n++) s += Y[n];
  return s;
}
