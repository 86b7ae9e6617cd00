"""Datos de prueba de ``amauta calificaciones`` (la plantilla ``calificaciones``).

Reproduce lo que el seed del diseño trae para calificaciones, más lo que piden los
casos límite:

- Escuela Primaria Nº 42, grupo "4to Grado A" (activo, grado 4to, sección A) con
  Lucas Fernández (matrícula 2024-001) y Valentina Ruiz (2024-002); Matemáticas:
  Lucas 8.5 y 9.0, Valentina 7.0 y 7.5, en "1er Trimestre" y "2do Trimestre".
- "3ro Grado B" (activo) con Mateo García (2024-003): Lengua, 1er Trimestre, 5 (desaprueba).
- "4to Grado A 2023" (inactivo) con Lucas: Matemáticas, 1er Trimestre, 3 (no cuenta en
  los desaprobados de los grupos activos, ni admite cambios).
- Colegio San Martín, grupo "1er Año A" (activo) con Ana Pérez: Física sobre 20,
  10/20 (= 5) y 13/20 (= 6,5): nota final 5,75, desaprueba.

Además, ``agregar_estudiantes`` (agrandar un grupo) y ``Contador`` (contar sentencias
SQL) para las pruebas de que todo es en bloque, sin una consulta por estudiante.
"""

from __future__ import annotations

from sqlalchemy import event, insert, select

from amauta_cli.db import crear_motor, transaccion
from amauta_cli.ids import ahora, cuid
from amauta_cli.models import (
    Calificacion,
    Grupo,
    GrupoEstudiante,
    Institucion,
    Perfil,
    Rol,
    TipoInstitucion,
    Usuario,
)

LUCAS = "lucas.fernandez@mail.com"
VALENTINA = "valentina.ruiz@mail.com"
MATEO = "mateo.garcia@mail.com"
ANA = "ana.perez@mail.com"
SIN_GRUPO = "sin.grupo@mail.com"
GRUPO = "4to Grado A"


def preparar(url: str) -> None:
    with transaccion(url) as s:
        maria = Usuario(
            email="maria.gonzalez@edu.ar", nombre="María", apellido="González",
            rol=Rol.EDUCADOR, password="!x",
        )
        lucas = Usuario(email=LUCAS, nombre="Lucas", apellido="Fernández", password="!x")
        valentina = Usuario(email=VALENTINA, nombre="Valentina", apellido="Ruiz", password="!x")
        mateo = Usuario(email=MATEO, nombre="Mateo", apellido="García", password="!x")
        ana = Usuario(email=ANA, nombre="Ana", apellido="Pérez", password="!x")
        suelto = Usuario(email=SIN_GRUPO, nombre="Sin", apellido="Grupo", password="!x")
        s.add_all([maria, lucas, valentina, mateo, ana, suelto])
        s.flush()
        s.add_all(
            [
                Perfil(usuarioId=lucas.id, matricula="2024-001", grado="4to"),
                Perfil(usuarioId=valentina.id, matricula="2024-002", grado="4to"),
                Perfil(usuarioId=mateo.id, matricula="2024-003", grado="3ro"),
            ]
        )
        escuela = Institucion(
            nombre='Escuela Primaria Nº 42 "Bernardino Rivadavia"', tipo=TipoInstitucion.ESCUELA
        )
        colegio = Institucion(nombre="Colegio San Martín", tipo=TipoInstitucion.COLEGIO)
        s.add_all([escuela, colegio])
        s.flush()
        cuarto = Grupo(nombre=GRUPO, grado="4to", seccion="A", institucionId=escuela.id, educadorId=maria.id)
        tercero = Grupo(nombre="3ro Grado B", grado="3ro", seccion="B", institucionId=escuela.id, educadorId=maria.id)
        viejo = Grupo(nombre="4to Grado A 2023", institucionId=escuela.id, educadorId=maria.id, activo=False)
        primero = Grupo(nombre="1er Año A", institucionId=colegio.id, educadorId=maria.id)
        s.add_all([cuarto, tercero, viejo, primero])
        s.flush()
        s.add_all(
            [
                GrupoEstudiante(grupoId=cuarto.id, estudianteId=lucas.id),
                GrupoEstudiante(grupoId=cuarto.id, estudianteId=valentina.id),
                GrupoEstudiante(grupoId=tercero.id, estudianteId=mateo.id),
                GrupoEstudiante(grupoId=viejo.id, estudianteId=lucas.id),
                GrupoEstudiante(grupoId=primero.id, estudianteId=ana.id),
            ]
        )

        def nota(g, u, materia, periodo, n, maxima=10.0):
            return Calificacion(
                grupoId=g.id, estudianteId=u.id, materia=materia, periodo=periodo,
                nota=n, notaMaxima=maxima,
            )

        s.add_all(
            [
                nota(cuarto, lucas, "Matemáticas", "1er Trimestre", 8.5),
                nota(cuarto, lucas, "Matemáticas", "2do Trimestre", 9.0),
                nota(cuarto, valentina, "Matemáticas", "1er Trimestre", 7.0),
                nota(cuarto, valentina, "Matemáticas", "2do Trimestre", 7.5),
                nota(tercero, mateo, "Lengua", "1er Trimestre", 5.0),
                nota(viejo, lucas, "Matemáticas", "1er Trimestre", 3.0),
                nota(primero, ana, "Física", "1er Trimestre", 10.0, 20.0),
                nota(primero, ana, "Física", "2do Trimestre", 13.0, 20.0),
            ]
        )


def agregar_estudiantes(url: str, grupo: str, n: int) -> list[str]:
    """Suma ``n`` estudiantes al grupo en dos INSERT de varias filas; devuelve sus emails."""
    t = ahora()
    with transaccion(url) as s:
        gid = s.scalar(select(Grupo.id).where(Grupo.nombre == grupo))
        filas = [
            {"id": cuid(), "email": f"alumno{i:04d}@mail.com", "nombre": f"Alumno{i}", "apellido": f"Zeta{i:04d}",
             "password": "!x", "createdAt": t, "updatedAt": t}
            for i in range(n)
        ]
        s.execute(insert(Usuario), filas)
        s.execute(insert(GrupoEstudiante), [{"grupoId": gid, "estudianteId": f["id"]} for f in filas])
    return [f["email"] for f in filas]


class Contador:
    """Cuenta las sentencias SQL que se ejecutan dentro del ``with`` (sin BEGIN/COMMIT)."""

    def __init__(self, url: str, cruda: bool = False):
        self.motor = crear_motor(url)
        self.sentencias: list[str] = []
        #: Contar también las sentencias por el driver a secas (db.Cruda), que no pasan por los
        #: eventos de SQLAlchemy (servicios que ya no usan el ORM).
        self.cruda = cruda

    def __enter__(self):
        from amauta_cli.db import Cruda

        event.listen(self.motor, "before_cursor_execute", self._contar)
        self._cursor_original = original = Cruda._cursor
        if not self.cruda:
            return self

        def contar_cruda(cruda, sql, params):
            self._contar(None, None, sql)
            return original(cruda, sql, params)

        Cruda._cursor = contar_cruda
        return self

    def _contar(self, _con, _cur, sentencia, *_a):
        if not sentencia.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.sentencias.append(sentencia)

    def __exit__(self, *_):
        from amauta_cli.db import Cruda

        Cruda._cursor = self._cursor_original
        event.remove(self.motor, "before_cursor_execute", self._contar)
