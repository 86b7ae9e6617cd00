"""Prueba de humo: el CLI arranca y migra una base nueva en cada motor."""

import pytest
from conftest import invocar


@pytest.mark.rapida
def test_migrate_crea_el_esquema_y_no_repite(bd_vacia):
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 0, r.texto
    assert "Migración completa" in r.stderr
    assert bd_vacia.contar("Usuario") == 0
    r2 = invocar(bd_vacia.url, "db", "migrate")
    assert r2.codigo == 0
    assert "ya está al día" in r2.stderr
