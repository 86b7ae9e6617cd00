"""Orden alfabético español en cada familia de listados, en ambos motores, con nombres que otra
aplicación escribió en Unicode descompuesto (NFD), insertados con SQL plano.

Álvarez antes que Benítez (la tilde no manda al final), Gómez antes que González, la ñ entre
la n y la o (Muñoz, Núñez), sin distinguir mayúsculas.
"""

from __future__ import annotations

import json
import random
import unicodedata

import pytest

from conftest import invocar

APELLIDOS = ["Álvarez", "Benítez", "Fernández", "Gómez", "González", "Muñoz", "Núñez", "Pérez"]
GRUPOS = ["Águilas", "Búhos", "nutrias", "Ñandúes", "Zorzales"]
INSTITUCIONES = ["Álamo Blanco", "Escuela Nogal", "Escuela Ñandubay", "instituto Olmo", "Ómnibus Técnico"]
FECHA = "2024-03-04"


def nfd(texto: str) -> str:
    return unicodedata.normalize("NFD", texto)


def nfc(texto: str) -> str:
    return unicodedata.normalize("NFC", texto)


def _preparar(url: str) -> None:
    """Todo con SQL plano y en un orden mezclado: nada de amauta normaliza estos textos."""
    from sqlalchemy import text

    from amauta_cli.db import crear_motor

    azar = random.Random(7)
    apellidos = APELLIDOS[:]
    azar.shuffle(apellidos)
    grupos = GRUPOS[:]
    azar.shuffle(grupos)
    instituciones = INSTITUCIONES[:]
    azar.shuffle(instituciones)
    usuario = (
        'INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, "createdAt", "updatedAt") '
        "VALUES (:id, :email, :nombre, :apellido, :rol, '!x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    with crear_motor(url).begin() as con:
        con.execute(text(usuario), dict(id="edu", email="edu@escuela.ar", nombre="Ana", apellido="Docente", rol="EDUCADOR"))
        for i, nombre in enumerate(instituciones):
            con.execute(
                text(
                    'INSERT INTO "Institucion" (id, nombre, tipo, "createdAt", "updatedAt") '
                    "VALUES (:id, :nombre, 'ESCUELA', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                dict(id=f"inst{i}", nombre=nfd(nombre)),
            )
            # Un grupo por institución (para los listados de instituciones y de pendientes).
            con.execute(
                text(
                    'INSERT INTO "Grupo" (id, nombre, "institucionId", "educadorId", "createdAt", "updatedAt") '
                    "VALUES (:id, :nombre, :inst, 'edu', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                dict(id=f"gi{i}", nombre=f"Sala {i}", inst=f"inst{i}"),
            )
        for i, nombre in enumerate(grupos):  # todos en la misma institución
            con.execute(
                text(
                    'INSERT INTO "Grupo" (id, nombre, "institucionId", "educadorId", "createdAt", "updatedAt") '
                    "VALUES (:id, :nombre, 'inst0', 'edu', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                dict(id=f"g{i}", nombre=nfd(nombre)),
            )
        for i, apellido in enumerate(apellidos):
            uid = f"e{i}"
            con.execute(text(usuario), dict(id=uid, email=f"alumno{i}@escuela.ar", nombre=nfd("José"), apellido=nfd(apellido), rol="ESTUDIANTE"))
            for gid in ["gi0", f"g{grupos.index('Búhos')}", *(f"gi{k}" for k in range(1, len(instituciones)))]:
                con.execute(text('INSERT INTO "GrupoEstudiante" ("grupoId", "estudianteId") VALUES (:g, :e)'), dict(g=gid, e=uid))
            con.execute(
                text(
                    'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", '
                    '"createdAt", "updatedAt") VALUES (:id, \'gi0\', :e, \'Lengua\', \'1er Trimestre\', 2, 10, '
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                dict(id=f"c{i}", e=uid),
            )


@pytest.fixture
def correr(crear_plantilla):
    base = crear_plantilla("orden_alfabetico_nfd", _preparar)

    def f(*args: str) -> list:
        r = invocar(base.url, *args, "--formato", "json")
        # `asistencia pendientes` sale con 3 cuando hay algo pendiente (para los scripts).
        assert r.codigo == (3 if args[:2] == ("asistencia", "pendientes") else 0), r.texto
        assert "orden por defecto" not in r.stderr
        return json.loads(r.stdout)

    return f


@pytest.mark.rapida
def test_personas(correr):
    estudiantes = [nfc(u["apellido"]) for u in correr("usuarios", "listar", "--rol", "estudiante")]
    assert estudiantes == APELLIDOS
    assert [nfc(u["apellido"]) for u in correr("grupos", "ver", "gi0")["estudiantes"]] == APELLIDOS
    assert [nfc(u["apellido"]) for u in correr("asistencia", "ver", "-g", "gi0", "--fecha", FECHA)] == APELLIDOS
    reporte = correr("asistencia", "reporte", "-g", "gi0", "--mes", "2024-03")
    assert [nfc(u["apellido"]) for u in reporte["estudiantes"]] == APELLIDOS
    notas = correr("calificaciones", "ver", "-g", "gi0", "-m", "Lengua", "-p", "1er Trimestre")
    assert [nfc(u["apellido"]) for u in notas] == APELLIDOS
    desaprobados = correr("calificaciones", "desaprobados", "-g", "gi0")
    assert [nfc(u["apellido"]) for u in desaprobados] == APELLIDOS  # todos con la misma nota


def test_grupos(correr):
    listado = [nfc(g["nombre"]) for g in correr("grupos", "listar", "-i", "inst0") if not g["nombre"].startswith("Sala")]
    assert listado == GRUPOS
    ver = [nfc(g["nombre"]) for g in correr("instituciones", "ver", "inst0")["grupos"] if not g["nombre"].startswith("Sala")]
    assert ver == GRUPOS
    ficha = correr("usuarios", "ver", "alumno0@escuela.ar")["grupos"]
    assert [nfc(g["institucion"]) for g in ficha] == sorted((nfc(g["institucion"]) for g in ficha), key=_clave)


def test_instituciones(correr):
    assert [nfc(i["nombre"]) for i in correr("instituciones", "listar")] == INSTITUCIONES
    pendientes = correr("asistencia", "pendientes", "--fecha", FECHA)
    assert [nfc(p["institucion"]) for p in pendientes if p["grupo"].startswith("Sala")] == INSTITUCIONES


def _clave(texto: str):
    from amauta_cli.textos import clave_orden

    return clave_orden(texto)


def test_la_clave_de_python_coincide():
    """El orden de Python (listados ya en memoria) es el mismo que el de las consultas."""
    for lista in (APELLIDOS, GRUPOS, INSTITUCIONES):
        mezclada = [nfd(x) for x in reversed(lista)]
        assert [nfc(x) for x in sorted(mezclada, key=_clave)] == lista


def test_sin_icu_en_el_servidor_avisa_y_usa_el_orden_por_defecto(crear_plantilla, motor, monkeypatch):
    """PostgreSQL compilado sin ICU: un aviso claro, y el listado sale igual (en otro orden)."""
    if motor != "postgresql":
        pytest.skip("solo PostgreSQL tiene colaciones ICU opcionales")
    from amauta_cli import dialecto

    base = crear_plantilla("orden_alfabetico_nfd", _preparar)
    monkeypatch.setattr(dialecto, "COLACION_PG", "xx-x-icu-que-no-existe")
    monkeypatch.setattr(dialecto, "_ICU", {})
    # Por el camino del driver a secas (usuarios listar) y por el de SQLAlchemy (grupos listar).
    r = invocar(base.url, "usuarios", "listar", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert "no tiene la colación ICU «xx-x-icu-que-no-existe»" in r.stderr
    assert "orden por defecto" in r.stderr
    assert sorted(nfc(u["apellido"]) for u in json.loads(r.stdout) if u["rol"] == "ESTUDIANTE") == sorted(APELLIDOS)
    monkeypatch.setattr(dialecto, "_ICU", {})
    r = invocar(base.url, "grupos", "listar", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert "orden por defecto" in r.stderr and len(json.loads(r.stdout)) == len(GRUPOS) + len(INSTITUCIONES)
