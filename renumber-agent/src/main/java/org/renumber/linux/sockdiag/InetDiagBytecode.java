package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** inet_diag filter programs (the value of attribute {@code INET_DIAG_REQ_BYTECODE}). */
public final class InetDiagBytecode {

    private InetDiagBytecode() {
    }

    /**
     * Matches sockets whose local address is {@code address}, any port; the same program {@code ss src ADDR}
     * sends. One S_COND instruction: "yes" steps over it to the end (accept), "no" jumps 4 bytes past the end
     * (reject).
     */
    public static byte[] localAddressIs(InetAddress address) {
        StructInetDiagHostCond condition = StructInetDiagHostCond.exactly(address);
        int length = StructInetDiagBcOp.SIZE + condition.size();
        ByteBuffer program = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        new StructInetDiagBcOp(StructInetDiagBcOp.INET_DIAG_BC_S_COND, length, length + 4).pack(program);
        condition.pack(program);
        return program.array();
    }
}
