"""Piezas por motor de ``dialecto``: la memoria de las consultas grandes vale solo en su
transacción (nunca un ``SET`` de sesión, que con PgBouncer en modo transacción pasaría a la
transacción de otro cliente)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from amauta_cli.db import transaccion
from amauta_cli.dialecto import dialecto


def test_memoria_de_trabajo_no_cambia_resultados(bd_seed):
    """En ambos motores la pieza se puede pedir dentro de la transacción de un reporte, y el
    reporte da lo mismo que sin ella."""
    from amauta_cli.services import asistencia as svc

    regla = svc.regla_vigente()
    with transaccion(bd_seed.url, solo_lectura=True) as s:
        dialecto(s).memoria_de_trabajo(s.connection(), "64MB")
        dialecto(s).sin_paralelismo(s.connection())
        assert s.execute(text("SELECT 1")).scalar() == 1
        _, con_memoria = svc.alertas(s, regla, date(2000, 1, 1))
    with transaccion(bd_seed.url, solo_lectura=True) as s:
        _, otra_vez = svc.alertas(s, regla, date(2000, 1, 1))
    assert con_memoria == otra_vez


def _ajustes(con) -> tuple[str, str]:
    return tuple(
        con.execute(
            text("SELECT current_setting('work_mem'), current_setting('max_parallel_workers_per_gather')")
        ).one()
    )


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_memoria_de_trabajo_vale_solo_en_su_transaccion_pg(bd_vacia):
    """Solo PostgreSQL tiene work_mem (en SQLite la pieza no hace nada: prueba de arriba)."""
    with bd_vacia.engine().connect() as con:
        antes = _ajustes(con)
        con.commit()
        with con.begin():
            dialecto(con).memoria_de_trabajo(con, "77MB")
            dialecto(con).sin_paralelismo(con)
            assert _ajustes(con) == ("77MB", "0")
        # La misma conexión (la que PgBouncer daría a otro cliente) vuelve a lo de antes.
        assert _ajustes(con) == antes
        con.commit()


@pytest.mark.rapida
def test_tabla_temporal_devuelve_lo_cargado_tal_cual(bd_vacia):
    """Textos con tabulaciones, saltos, barras y comillas, None y números: lo que entra por
    COPY (PostgreSQL) o executemany (SQLite) es lo que sale."""
    filas = [(f"id{i}", f"Línea\t{i}\n\\ «ñ» '{i}'" if i % 3 else None, i / 4) for i in range(25_000)]
    with bd_vacia.engine().begin() as con:
        d = dialecto(con)
        tabla = d.crear_temporal(con, "prueba_carga", "id text, texto text, n double precision")
        d.cargar_temporal(con, "prueba_carga", ["id", "texto", "n"], filas)
        leidas = [tuple(f) for f in con.exec_driver_sql(f"SELECT id, texto, n FROM {tabla}")]
        d.soltar_temporales(con, "prueba_carga")
    assert sorted(leidas) == sorted(filas)
