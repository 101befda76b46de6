#include <stdint.h>
static uint16_t A[48];
uint32_t bench(void) {
  uint32_t x = 12345;
  for (int i = 0; i < 48; i++) {
    x = x * 1103515245u + 12345u;
    A[i] = (uint16_t)(x >> 16);
  }
  for (int i = 1; i < 48; i++) {
    uint16_t v = A[i];
    int j = i - 1;
    while (j >= 0 && A[j] > v) {
      A[j + 1] = A[j];
      j--;
    }
    A[j + 1] = v;
  }
  uint32_t s = 0;
  for (int i = 0; i < 48; i++) s += (uint32_t)A[i] * (uint32_t)(i + 1);
  return s;
}
