package io.heartbeat.common.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.BadRequestException;

import org.junit.jupiter.api.Test;

class RequestsTest {

    @Test
    void aPageWhoseOffsetOverflowsAnIntIsABadRequest() {
        assertThat(Requests.paging(4294967, 500, 50, 500).offset()).isEqualTo(2147483500);
        assertThatThrownBy(() -> Requests.paging(4294968, 500, 50, 500)).isInstanceOf(BadRequestException.class)
                .hasMessage("page must be at most 4294967 with size 500");
        assertThatThrownBy(() -> Requests.paging(Integer.MAX_VALUE, null, 50, 500))
                .isInstanceOf(BadRequestException.class);
        assertThat(Requests.paging(null, null, 50, 500)).isEqualTo(new Requests.Paging(0, 50));
    }
}
