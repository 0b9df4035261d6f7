/*
 * hsdis_virtual.c: the HotSpot disassembler plugin under the name JDK 25 looks for.
 *
 * Debian's libhsdis0-fcml (libhsdis.so.0) exports only decode_instructions, the entry point
 * of older HotSpots, which decodes the code at the addresses it is given. JDK 25 looks up
 * decode_instructions_virtual only, and without it prints PrintAssembly's code as hex. This
 * adapter exports decode_instructions_virtual and forwards to decode_instructions; the make
 * target that builds it (audit-hsdis) links it against libhsdis.so.0 and names it
 * hsdis-<arch>.so, which a JVM loads from its library path (LD_LIBRARY_PATH).
 *
 * HotSpot disassembles code in place (the buffer is the code at start_va); the old entry point
 * can do nothing else, so a buffer elsewhere is decoded from the buffer itself.
 */
#include <stdint.h>

void *decode_instructions(void *start, void *end,
                          void *(*event_callback)(void *, const char *, void *), void *event_stream,
                          int (*printf_callback)(void *, const char *, ...), void *printf_stream,
                          const char *options);

__attribute__((visibility("default")))
void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  void *(*event_callback)(void *, const char *, void *), void *event_stream,
                                  int (*printf_callback)(void *, const char *, ...), void *printf_stream,
                                  const char *options, int newline) {
    (void) start_va;
    (void) end_va;
    (void) newline;
    return decode_instructions(buffer, buffer + length, event_callback, event_stream, printf_callback, printf_stream,
                               options);
}
