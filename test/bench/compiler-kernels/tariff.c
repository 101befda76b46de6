#include <stdint.h>
static uint16_t USE[48];
static const uint32_t PRICE[3] = {1250, 2875, 4100};
static int band(int slot) { return slot >= 34 && slot < 42 ? 2 : (slot >= 14 && slot < 34 ? 1 : 0); }
uint32_t bench(void) {
  for (int s = 0; s < 48; s++) USE[s] = (uint16_t)(120 + ((s * 37) % 23) * 40);
  uint32_t cost = 0, peak = 0, total = 0;
  for (int s = 0; s < 48; s++) {
    uint32_t u = USE[s];
    int b = band(s);
    cost += (u * PRICE[b] + 500) / 1000;
    total += u;
    if (b == 2) peak += u;
  }
  cost += 1800;
  return cost * 1000 + (peak * 1000) / total;
}
