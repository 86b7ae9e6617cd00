"""Ids estilo cuid: uno por vez (``cuid``) y de a muchos (``cuids``, para cargas masivas)."""

from __future__ import annotations

import re

import pytest

from amauta_cli.ids import cuid, cuids

FORMA = re.compile(r"c[0-9a-z]{24}")


@pytest.mark.rapida
def test_cuids_tienen_la_forma_de_cuid_y_no_se_repiten():
    ids = cuids(50_000)
    assert len(ids) == 50_000
    assert all(FORMA.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert cuids(0) == []


def test_cuids_y_cuid_comparten_el_contador():
    """Un tramo de ``cuids`` y el ``cuid`` siguiente no chocan: el contador (caracteres 9 a 12)
    sigue corriendo entre uno y otro, como entre dos ``cuid``."""
    tramo = cuids(3)
    despues = cuid()
    contadores = [int(i[9:13], 36) for i in [*tramo, despues]]
    assert contadores == [(contadores[0] + k) % 36**4 for k in range(4)]
    assert despues not in tramo
