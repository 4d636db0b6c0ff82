package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.renumber.domain.IpLiterals;

class IpTextTest {

    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "fe80:0:0:0:8843:a3ff:fec1:5613, fe80::8843:a3ff:fec1:5613",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "10.9.0.1, 10.9.0.1"
    })
    void writesAddressesAsIproute2Does(String literal, String expected) {
        assertThat(IpText.of(IpLiterals.parse(literal))).isEqualTo(expected);
    }
}
