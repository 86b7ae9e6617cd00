"""amauta detrás de PgBouncer: la URL directa para pg_dump/pg_restore/psql y el aviso cuando falta.

Con ``AMAUTA_TEST_PG_POOLER_URL`` (la pata de ``.ci/run`` que pasa por PgBouncer) las bases de
las pruebas se usan a través del pooler; sin ella, directo. Las pruebas afirman lo que
corresponde a cada caso.
"""

from __future__ import annotations

import pytest

from conftest import PG_POOLER_URL, invocar


@pytest.fixture(params=["postgresql"])
def motor(request) -> str:
    """Solo PostgreSQL: PgBouncer y pg_dump no existen para SQLite."""
    from conftest import REQUIERE_PG, pg_disponible

    if not pg_disponible():
        if REQUIERE_PG:
            pytest.fail("PostgreSQL no responde y AMAUTA_TEST_REQUIRE_POSTGRES está definida")
        pytest.skip("PostgreSQL no disponible")
    return request.param


def test_url_directa_de_otra_base_se_rechaza_sin_respaldar(bd, tmp_path):
    otra = bd.url_directa.rsplit("/", 1)[0] + "/otra_base_cualquiera"
    r = invocar(bd.url, "db", "backup", "--salida", f"{tmp_path}/r/", env={"AMAUTA_DIRECT_URL": otra})
    assert r.codigo == 1
    assert "AMAUTA_DIRECT_URL" in r.stderr and "no es la misma base" in r.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_respaldo_por_el_pooler_avisa_si_falta_la_url_directa(bd, tmp_path):
    r = invocar(bd.url, "db", "backup", "--salida", f"{tmp_path}/r/", env={"AMAUTA_DIRECT_URL": ""})
    assert r.codigo == 0, r.texto
    aviso = "llega al servidor por otro proceso"
    if PG_POOLER_URL:
        assert aviso in r.stderr and "AMAUTA_DIRECT_URL" in r.stderr
    else:
        assert aviso not in r.stderr


def test_con_la_url_directa_no_hay_aviso(bd, tmp_path):
    r = invocar(bd.url, "db", "backup", "--salida", f"{tmp_path}/r/", env={"AMAUTA_DIRECT_URL": bd.url_directa})
    assert r.codigo == 0, r.texto
    assert "otro proceso" not in r.stderr
