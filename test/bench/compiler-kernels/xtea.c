#include <stdint.h>
static const uint32_t KEY[4] = {0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210};
static uint32_t V[8];
uint32_t bench(void) {
  for (int i = 0; i < 8; i++) V[i] = (uint32_t)i * 0x9e3779b1u;
  for (int b = 0; b < 8; b += 2) {
    uint32_t v0 = V[b], v1 = V[b + 1];
    uint32_t sum = 0;
    for (int r = 0; r < 32; r++) {
      v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + KEY[sum & 3]);
      sum += 0x9e3779b9u;
      v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + KEY[(sum >> 11) & 3]);
    }
    V[b] = v0;
    V[b + 1] = v1;
  }
  uint32_t s = 0;
  for (int i = 0; i < 8; i++) s ^= V[i];
  return s;
}
