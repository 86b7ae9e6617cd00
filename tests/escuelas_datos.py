"""Dos escuelas de un distrito, para probar la seguridad por filas y la auditoría.

- Escuela A ("Escuela Nº 1 Domingo F. Sarmiento"): grupos "1ro A" (educadora Alicia,
  estudiantes Ana y Beto) y "2do A" (Alicia, estudiante Carla); Eli estuvo en "1ro A"
  (tiene una nota ahí) y ya no; un comunicado de Alicia.
- Escuela B ("Escuela Nº 2 Manuel Belgrano"): grupo "1ro A" (el MISMO nombre que en A;
  educador Bruno, estudiantes Ciro y Dora); un comunicado de Bruno.
- ``libre@mail.com``: estudiante sin escuela; ``admin@amauta.org``: SUPER_ADMIN.

Asistencia de dos días y una calificación por estudiante en cada grupo.

``roles_escuela``: crea, para una prueba, un rol LOGIN de nombre único por escuela (con
``amauta accesos crear``, el servicio) y los borra al terminar, aunque la prueba falle (los
roles son del servidor entero, no de la base).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

import pytest

INST_A = "Escuela Nº 1 Domingo F. Sarmiento"
INST_B = "Escuela Nº 2 Manuel Belgrano"
GRUPO = "1ro A"  # existe en ambas escuelas
GRUPO_A2 = "2do A"
ANA, BETO, CARLA, ELI = "ana@mail.com", "beto@mail.com", "carla@mail.com", "eli@mail.com"
CIRO, DORA = "ciro@mail.com", "dora@mail.com"
ALICIA, BRUNO = "alicia@escuela1.edu.ar", "bruno@escuela2.edu.ar"
LIBRE, ADMIN = "libre@mail.com", "admin@amauta.org"
DIAS = (date(2024, 3, 4), date(2024, 3, 5))
PASSWORD_ROL = "Clave-de-prueba-2024"

#: Lo que cada escuela debe ver, por tabla (filas).
VISIBLES_A = {
    "Institucion": 1,
    "Grupo": 2,
    "GrupoEstudiante": 3,  # Ana, Beto (1ro A), Carla (2do A)
    "Usuario": 5,  # Alicia, Ana, Beto, Carla, Eli (exalumno)
    "Perfil": 5,
    "Asistencia": 6,  # 3 estudiantes × 2 días
    "Calificacion": 4,  # Ana, Beto, Carla y la de Eli (exalumno)
    "Comunicado": 1,
}
VISIBLES_B = {
    "Institucion": 1,
    "Grupo": 1,
    "GrupoEstudiante": 2,
    "Usuario": 3,  # Bruno, Ciro, Dora
    "Perfil": 3,
    "Asistencia": 4,
    "Calificacion": 2,
    "Comunicado": 1,
}


def preparar(url: str) -> None:
    from amauta_cli.db import transaccion
    from amauta_cli.ids import ahora, medianoche
    from amauta_cli.models import (
        Asistencia,
        Calificacion,
        Comunicado,
        EstadoAsistencia,
        Grupo,
        GrupoEstudiante,
        Institucion,
        Perfil,
        Rol,
        TipoComunicado,
        TipoInstitucion,
        Usuario,
    )

    h = "$2b$10$" + "x" * 53
    with transaccion(url) as s:

        def usuario(email: str, nombre: str, apellido: str, rol: Rol) -> Usuario:
            u = Usuario(email=email, nombre=nombre, apellido=apellido, rol=rol, password=h, activo=True)
            u.perfil = Perfil(especialidad=[])
            s.add(u)
            return u

        usuario(ADMIN, "Admin", "Sistema", Rol.SUPER_ADMIN)
        alicia = usuario(ALICIA, "Alicia", "Moreau", Rol.EDUCADOR)
        bruno = usuario(BRUNO, "Bruno", "Quiroga", Rol.EDUCADOR)
        est = {e: usuario(e, e.split("@")[0].capitalize(), "Pérez", Rol.ESTUDIANTE) for e in (ANA, BETO, CARLA, ELI, CIRO, DORA, LIBRE)}
        a = Institucion(nombre=INST_A, tipo=TipoInstitucion.ESCUELA)
        b = Institucion(nombre=INST_B, tipo=TipoInstitucion.ESCUELA)
        s.add_all([a, b])
        s.flush()
        g1 = Grupo(nombre=GRUPO, grado="1ro", seccion="A", institucionId=a.id, educadorId=alicia.id)
        g2 = Grupo(nombre=GRUPO_A2, grado="2do", seccion="A", institucionId=a.id, educadorId=alicia.id)
        g3 = Grupo(nombre=GRUPO, grado="1ro", seccion="A", institucionId=b.id, educadorId=bruno.id)
        s.add_all([g1, g2, g3])
        s.flush()
        miembros = {g1: [ANA, BETO, ELI], g2: [CARLA], g3: [CIRO, DORA]}
        for g, emails in miembros.items():
            for e in emails:
                s.add(GrupoEstudiante(grupoId=g.id, estudianteId=est[e].id))
        s.flush()
        t = ahora()
        for g, emails in miembros.items():
            for e in emails:
                s.add(Calificacion(grupoId=g.id, estudianteId=est[e].id, materia="Matemática",
                                   periodo="1er Trimestre", nota=7.0, notaMaxima=10.0))
                if e == ELI:
                    continue
                for d in DIAS:
                    s.add(Asistencia(grupoId=g.id, estudianteId=est[e].id, fecha=medianoche(d),
                                     estado=EstadoAsistencia.PRESENTE))
        s.add(Comunicado(institucionId=a.id, autorId=alicia.id, titulo="Acto", contenido="Acto del 25",
                         tipo=TipoComunicado.EVENTO, publicadoEn=t))
        s.add(Comunicado(institucionId=b.id, autorId=bruno.id, titulo="Feria", contenido="Feria de ciencias",
                         tipo=TipoComunicado.ACADEMICO, publicadoEn=t))
        s.flush()
        # Eli dejó el grupo: sigue siendo exalumno de la escuela A (tiene una nota ahí).
        s.query(GrupoEstudiante).filter_by(grupoId=g1.id, estudianteId=est[ELI].id).delete()


@dataclass
class RolEscuela:
    rol: str
    url: str
    institucion: str


def url_como(url: str, rol: str, password: str = PASSWORD_ROL) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=rol, password=password).render_as_string(hide_password=False)


def crear_rol(url_admin: str, institucion: str, sufijo: str) -> RolEscuela:
    from amauta_cli.db import transaccion
    from amauta_cli.services import accesos

    nombre = f"amauta_t_{uuid.uuid4().hex[:8]}_{sufijo}"
    _creados.append(nombre)
    with transaccion(url_admin) as s:
        accesos.crear(s, institucion, nombre, PASSWORD_ROL)
    return RolEscuela(nombre, url_como(url_admin, nombre), institucion)


#: Roles creados en esta sesión de pytest (se borran al final si alguno quedó).
_creados: list[str] = []


def borrar_roles(nombres: list[str]) -> None:
    from conftest import _pg_admin

    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    with _pg_admin() as c:
        for n in nombres:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (n,)
            )
            c.execute(f'DROP ROLE IF EXISTS "{n}"')


@pytest.fixture
def roles_escuela(escuelas) -> Iterator[tuple[RolEscuela, RolEscuela]]:
    """Un rol para la escuela A y otro para la B sobre ``escuelas``; se borran al terminar."""
    hechos: list[str] = []
    try:
        a = crear_rol(escuelas.url, INST_A, "a")
        hechos.append(a.rol)
        b = crear_rol(escuelas.url, INST_B, "b")
        hechos.append(b.rol)
        yield a, b
    finally:
        borrar_roles(hechos)


@pytest.fixture(scope="session", autouse=True)
def _sin_roles_huerfanos() -> Iterator[None]:
    yield
    if _creados:
        try:
            borrar_roles(list(_creados))
        except Exception:  # noqa: BLE001 - sin servidor, no hay nada que borrar
            pass


def filas_como(url: str, sql: str, **params: Any) -> list[tuple]:
    """Una consulta con una conexión nueva (psycopg a secas) como el usuario de ``url``."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as c:
        return [tuple(f) for f in c.execute(sql, params or None).fetchall()]


def ejecutar_como(url: str, *sentencias: str) -> None:
    """Sentencias en UNA transacción como el usuario de ``url`` (psycopg a secas)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c:
        for s in sentencias:
            c.execute(s)
