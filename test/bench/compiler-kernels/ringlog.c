#include <stdint.h>
static uint32_t TS[16];
static uint16_t CODE[16];
static int16_t VAL[16];
static uint16_t head, count;
static void append(uint32_t ts, uint16_t code, int16_t val) {
  uint16_t h = head;
  TS[h] = ts; CODE[h] = code; VAL[h] = val;
  head = (h + 1) & 15;
  if (count < 16) count++;
}
uint32_t bench(void) {
  head = 0; count = 0;
  for (uint32_t i = 0; i < 40; i++) append(1000 + i * 37, (uint16_t)(i & 7), (int16_t)(i * 3 - 50));
  uint32_t s = count;
  for (int i = 0; i < 16; i++) s = (s << 3) + (s >> 29) + TS[i] + CODE[i] + (uint32_t)(int32_t)VAL[i];
  return s;
}
