package org.renumber.linux.sockdiag;

import java.nio.ByteBuffer;

/**
 * {@code struct inet_diag_bc_op} ({@code linux/inet_diag.h}), 4 bytes, one instruction of an inet_diag filter.
 * Every instruction is a conditional forward jump: {@code yes} bytes ahead when the condition holds (the
 * length of the instruction with its arguments, i.e. "next"), {@code no} bytes ahead otherwise. The socket
 * matches when execution ends exactly at the end of the program; jumping 4 bytes past the end rejects it.
 * <pre>
 * unsigned char  code   INET_DIAG_BC_*
 * unsigned char  yes
 * unsigned short no     native order
 * </pre>
 */
public record StructInetDiagBcOp(int code, int yes, int no) {

    public static final int SIZE = 4;

    public static final int INET_DIAG_BC_NOP = 0;
    public static final int INET_DIAG_BC_JMP = 1;
    public static final int INET_DIAG_BC_S_COND = 7;
    public static final int INET_DIAG_BC_D_COND = 8;

    public static StructInetDiagBcOp parse(ByteBuffer buffer) {
        return new StructInetDiagBcOp(buffer.get() & 0xff, buffer.get() & 0xff, buffer.getShort() & 0xffff);
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) code).put((byte) yes).putShort((short) no);
    }
}
