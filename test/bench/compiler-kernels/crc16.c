#include <stdint.h>
static uint8_t data[64];
static uint16_t crc16(const uint8_t *p, int n) {
  uint16_t crc = 0xffff;
  for (int i = 0; i < n; i++) {
    crc ^= (uint16_t)p[i] << 8;
    for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}
uint32_t bench(void) {
  for (int i = 0; i < 64; i++) data[i] = (uint8_t)(i * 7 + 1);
  return crc16(data, 64);
}
