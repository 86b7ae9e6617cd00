"""Migración 0003: índice único de Calificacion, con control de repetidas y reversión."""

from __future__ import annotations

import importlib.util

import pytest
from fabrica import ANA_PEREZ, preparar
from conftest import invocar
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect

from amauta_cli.services import esquema
from amauta_cli.services.esquema import dir_migraciones, migrar, revision_actual

INDICE = "Calificacion_grupoId_estudianteId_materia_periodo_key"


def _migracion():
    ruta = dir_migraciones() / "versions" / "0003_calificacion_unica.py"
    spec = importlib.util.spec_from_file_location("migracion_0003", ruta)
    modulo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modulo)
    return modulo


def indices(bd) -> dict[str, dict]:
    with bd.engine().connect() as con:
        return {i["name"]: i for i in inspect(con).get_indexes("Calificacion")}


def revision(bd) -> str | None:
    with bd.engine().connect() as con:
        return revision_actual(con)


REPETIR = (
    'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", "updatedAt") '
    "SELECT id || '-r', \"grupoId\", \"estudianteId\", materia, periodo, nota - 1, \"notaMaxima\", \"updatedAt\" "
    'FROM "Calificacion" WHERE periodo = :p'
)


@pytest.fixture
def bd_0002(bd_vacia):
    """Una base en la revisión 0002 con los datos de calificaciones (sin el índice único)."""
    migrar(bd_vacia.url, "0002")
    preparar("calificaciones")(bd_vacia.url)
    return bd_vacia


def test_la_base_migrada_tiene_el_indice_y_no_tiene_deriva(bd):
    ix = indices(bd)[INDICE]
    assert ix["unique"] and ix["column_names"] == ["grupoId", "estudianteId", "materia", "periodo"]
    r = invocar(bd.url, "db", "verificar")
    assert r.codigo == 0, r.texto
    assert "Sin deriva" in r.stderr


def test_el_indice_impide_duplicar(bdc):
    with pytest.raises(sa_exc.IntegrityError):
        bdc.ejecutar(REPETIR, p="1er Trimestre")
    assert bdc.contar("Calificacion") == 8


def test_upgrade_sin_repetidas(bd_0002):
    antes = bd_0002.instantanea()
    r = invocar(bd_0002.url, "db", "migrate", "--revision", "0003")
    assert r.codigo == 0, r.texto
    assert "aplicada 0003: Calificación única por grupo, estudiante, materia y período" in r.stderr
    assert revision(bd_0002) == "0003"
    assert INDICE in indices(bd_0002)
    assert bd_0002.instantanea() == antes
    # Al día (las migraciones posteriores a 0003 también), no hay deriva.
    assert invocar(bd_0002.url, "db", "migrate").codigo == 0
    assert invocar(bd_0002.url, "db", "verificar").codigo == 0


def test_upgrade_con_repetidas_se_detiene_sin_cambiar_nada(bd_0002):
    bd_0002.ejecutar(REPETIR, p="1er Trimestre")
    # Una segunda copia de las originales (sus ids no tienen guion): cada combinación queda 3 veces.
    bd_0002.ejecutar(REPETIR.replace("'-r'", "'-s'") + " AND id NOT LIKE '%-%'", p="1er Trimestre")
    antes = bd_0002.instantanea()

    r = invocar(bd_0002.url, "db", "migrate", "--revision", "0003")
    assert r.codigo == 1, r.texto
    assert r.excepcion is None and "Traceback" not in r.texto
    assert "No se aplicó la migración 0003" in r.stderr
    assert "'Calificacion' tiene 5 combinaciones repetidas (10 filas de más)" in r.stderr
    assert "No se cambió nada: la base sigue en la revisión 0002" in r.stderr
    assert "vuelva a ejecutar `amauta db migrate`" in r.stderr
    assert "grupo '4to Grado A', lucas.fernandez@mail.com, Matemáticas, 1er Trimestre: 3 calificaciones" in r.stderr
    assert f"grupo '1er Año A', {ANA_PEREZ}, Física, 1er Trimestre: 3 calificaciones" in r.stderr
    assert "2do Trimestre" not in r.stderr.split("Repetidas")[1]

    assert revision(bd_0002) == "0002"
    assert INDICE not in indices(bd_0002)
    assert bd_0002.instantanea() == antes

    # La consulta sugerida en el mensaje funciona en este motor y lista las filas repetidas.
    filas = bd_0002.filas(_migracion().CONSULTA_SUGERIDA.rstrip(";"))
    assert len(filas) == 15
    # Resolverlo como dice el mensaje (dejar una por combinación) permite migrar.
    bd_0002.ejecutar("DELETE FROM \"Calificacion\" WHERE id LIKE '%-%'")
    r = invocar(bd_0002.url, "db", "migrate", "--revision", "0003")
    assert r.codigo == 0, r.texto
    assert revision(bd_0002) == "0003" and INDICE in indices(bd_0002)


def test_la_lista_de_repetidas_se_corta(bd_0002):
    copia = (
        'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", "updatedAt") '
        "SELECT id || :sufijo, \"grupoId\", \"estudianteId\", materia, :periodo, nota, \"notaMaxima\", \"updatedAt\" "
        "FROM \"Calificacion\" WHERE periodo = '1er Trimestre' AND materia = 'Lengua'"
    )
    for i in range(60):
        for sufijo in "ab":
            bd_0002.ejecutar(copia, sufijo=f"-{sufijo}{i}", periodo=f"Parcial {i:02d}")
    r = invocar(bd_0002.url, "db", "migrate", "--revision", "0003")
    assert r.codigo == 1
    assert "tiene 60 combinaciones repetidas (60 filas de más)" in r.stderr
    assert r.stderr.count(" 2 calificaciones") == 50
    assert "Parcial 49: 2 calificaciones" in r.stderr and "Parcial 50" not in r.stderr
    assert "... y 10 combinaciones repetidas más" in r.stderr


@pytest.mark.rapida
def test_downgrade_quita_el_indice_y_conserva_los_datos(bdc):

    def datos():  # las tablas del diseño (las propias de 0004, 0005 y 0006 se van con sus migraciones)
        propias = ("_amauta_busqueda", "_amauta_auditoria", "_amauta_acceso", "_amauta_vinculo", "_amauta_archivo")
        return {t: f for t, f in bdc.instantanea().items() if not t.startswith(propias)}

    antes = datos()
    r = invocar(bdc.url, "db", "rollback", "--revision", "0002", "--si")
    assert r.codigo == 0, r.texto
    assert "0003: Calificación única" in r.stderr
    assert revision(bdc) == "0002"
    assert INDICE not in indices(bdc)
    assert datos() == antes
    bdc.ejecutar(REPETIR, p="2do Trimestre")  # sin el índice, se puede repetir
    assert bdc.contar("Calificacion") == 11
    r = invocar(bdc.url, "db", "migrate")
    assert r.codigo == 1 and "3 combinaciones repetidas" in r.stderr


def test_los_comandos_de_calificaciones_exigen_la_migracion(bd_0002):
    r = invocar(bd_0002.url, "calificaciones", "reporte", "-g", "4to Grado A")
    assert r.codigo == 1
    assert "La base está en la revisión '0002' y amauta necesita" in r.stderr
    assert "amauta db migrate" in r.stderr


def test_sql_sin_conexion(bd):
    r = invocar(bd.url, "db", "migrate", "--sql", "--desde", "0002")
    assert r.codigo == 0, r.texto
    assert f'CREATE UNIQUE INDEX "{INDICE}" ON "Calificacion"' in r.stdout
