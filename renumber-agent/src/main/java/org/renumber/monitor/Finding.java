package org.renumber.monitor;

/** What the {@link RenumberingDetector} recognised in the address events. */
public sealed interface Finding permits Renumbering, AddressLoss {

    String interfaceName();
}
