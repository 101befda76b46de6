#include <stdint.h>
static uint8_t OUT[256];
static uint8_t TMP[10];
static int fmt(uint32_t v, int at) {
  int n = 0;
  do {
    TMP[n] = (uint8_t)(48 + v % 10);
    v /= 10;
    n++;
  } while (v != 0);
  for (int k = 0; k < n; k++) OUT[at + k] = TMP[n - 1 - k];
  OUT[at + n] = 44;
  return at + n + 1;
}
uint32_t bench(void) {
  int at = 0;
  uint32_t v = 7;
  for (int i = 0; i < 24; i++) {
    at = fmt(v, at);
    v = v * 31 + 12345;
  }
  uint32_t s = 0;
  for (int i = 0; i < at; i++) s = s * 3 + OUT[i];
  return s + (uint32_t)at;
}
