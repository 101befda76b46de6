#include <stdint.h>
#include <stdbool.h>
static uint8_t TEXT[160];
uint32_t bench(void) {
  int at = 0;
  uint32_t v = 91;
  for (int k = 0; k < 12; k++) {
    TEXT[at++] = 49; TEXT[at++] = 46; TEXT[at++] = 56; TEXT[at++] = 46;
    TEXT[at++] = (uint8_t)(48 + k % 10); TEXT[at++] = 61;
    uint32_t d = v;
    for (int j = 0; j < 6; j++) { TEXT[at++] = (uint8_t)(48 + d % 10); d /= 10; }
    TEXT[at++] = 59;
    v = v * 7 + 3;
  }
  uint32_t sum = 0, field = 0, value = 0;
  bool inValue = false;
  for (int i = 0; i < at; i++) {
    uint32_t c = TEXT[i];
    if (c == 61) { inValue = true; value = 0; }
    else if (c == 59) { sum += value + field; field++; inValue = false; }
    else if (inValue && c - 48 < 10) value = value * 10 + (c - 48);
  }
  return sum;
}
