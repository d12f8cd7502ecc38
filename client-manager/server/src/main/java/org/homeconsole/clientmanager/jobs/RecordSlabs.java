package org.homeconsole.clientmanager.jobs;

/**
 * Where the records of ended jobs are written: one after the other into large shared arrays ("slabs") of
 * {@value #SLAB_BYTES} bytes. Thousands of recent records then cost the garbage collector a few large arrays
 * instead of thousands of small ones: an array this large is allocated outside the young generation by G1
 * (a "humongous" object, at least half a region: regions are 1–4 MiB for heaps up to 8 GiB), so young
 * collections never copy it, and it is freed as a whole once no record in it is kept any more.
 *
 * <p>A slab is written once, front to back, and never reused: a record's bytes stay valid for as long as
 * someone holds it. Not thread-safe: the caller serialises {@link #place} and the writing of the bytes.
 */
final class RecordSlabs {

    /** Slab size, a little below 2 MiB so that the array with its header fits two 1 MiB regions. */
    static final int SLAB_BYTES = (2 << 20) - 64;
    /** Larger records get an array of their own. */
    static final int MAX_IN_SLAB = SLAB_BYTES / 4;

    private byte[] slab;
    private int position;

    /** A place for a record: an array and the offset where its bytes go. */
    record Place(byte[] array, int offset) {
    }

    /** Reserves {@code length} bytes; the caller writes them at once. */
    Place place(int length) {
        if (length > MAX_IN_SLAB) {
            return new Place(new byte[length], 0);
        }
        if (slab == null || SLAB_BYTES - position < length) {
            slab = new byte[SLAB_BYTES];
            position = 0;
        }
        Place place = new Place(slab, position);
        position += length;
        return place;
    }
}
