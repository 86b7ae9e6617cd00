"""Datos de prueba de usuarios, instituciones y grupos (una plantilla por sesión).

La escuela del diseño, reducida: un SUPER_ADMIN, dos educadores, tres estudiantes
activos y uno inactivo, dos instituciones (una inactiva) y el grupo '4to Grado A'
con Lucas y Valentina.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

PASSWORD = "Amauta2024!"


@lru_cache(maxsize=1)
def hash_de_prueba() -> str:
    from amauta_cli.seguridad import hashear

    return hashear(PASSWORD)


def preparar_escuela(url: str) -> None:
    from amauta_cli.db import transaccion
    from amauta_cli.models import Grupo, GrupoEstudiante, Institucion, Perfil, Rol, TipoInstitucion, Usuario

    h = hash_de_prueba()
    with transaccion(url) as s:

        def usuario(email, nombre, apellido, rol, activo=True, **perfil):
            u = Usuario(email=email, nombre=nombre, apellido=apellido, rol=rol, password=h, activo=activo)
            u.perfil = Perfil(especialidad=perfil.pop("especialidad", []), **perfil)
            s.add(u)
            return u

        usuario("admin@amauta.org", "Admin", "Sistema", Rol.SUPER_ADMIN)
        usuario("director@escuela.edu.ar", "Daniel", "Martínez", Rol.ADMIN_ESCUELA)
        maria = usuario(
            "maria.gonzalez@edu.ar", "María", "González", Rol.EDUCADOR,
            especialidad=["Álgebra", "Geometría"], experiencia=10, ciudad="Buenos Aires",
        )
        usuario("carlos.lopez@edu.ar", "Carlos", "López", Rol.EDUCADOR, ciudad="Córdoba")
        lucas = usuario("lucas.fernandez@mail.com", "Lucas", "Fernández", Rol.ESTUDIANTE, matricula="2024-001", grado="4to", ciudad="Mendoza")
        valen = usuario("valentina.ruiz@mail.com", "Valentina", "Ruiz", Rol.ESTUDIANTE, matricula="2024-002", grado="4to")
        usuario("mateo.garcia@mail.com", "Mateo", "García", Rol.ESTUDIANTE, matricula="2024-003", grado="3ro", ciudad="Rosario")
        usuario("ex.alumno@mail.com", "Ex", "Alumno", Rol.ESTUDIANTE, activo=False)
        escuela = Institucion(
            nombre="Escuela Nº 42 Bernardino Rivadavia", tipo=TipoInstitucion.ESCUELA,
            direccion="Av. San Martín 1234, CABA", email="contacto@escuela42.edu.ar",
        )
        cerrada = Institucion(nombre="Colegio Cerrado", tipo=TipoInstitucion.COLEGIO, activa=False)
        s.add_all([escuela, cerrada])
        s.flush()
        grupo = Grupo(nombre="4to Grado A", grado="4to", seccion="A", institucionId=escuela.id, educadorId=maria.id)
        s.add(grupo)
        s.flush()
        s.add_all(
            [
                GrupoEstudiante(grupoId=grupo.id, estudianteId=lucas.id),
                GrupoEstudiante(grupoId=grupo.id, estudianteId=valen.id),
            ]
        )


@pytest.fixture
def escuela(crear_plantilla):
    """Una base nueva con la escuela de prueba."""
    return crear_plantilla("usuarios_escuela", preparar_escuela)


HASH_BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")


def sin_secretos(texto: str, *passwords: str) -> None:
    """Ningún hash bcrypt, marca de contraseña inutilizable ni contraseña en claro en ``texto``."""
    assert not HASH_BCRYPT.search(texto), "apareció un hash bcrypt en la salida"
    for pw in passwords:
        assert pw not in texto, "apareció una contraseña en la salida"


def hash_de(bd, email: str) -> str:
    return bd.valor('SELECT password FROM "Usuario" WHERE lower(email) = :e', e=email.lower())


def verifica_bcrypt(hash_guardado: str, password: str) -> bool:
    """El hash es bcrypt de costo >= 10 y corresponde a la contraseña."""
    import bcrypt

    m = HASH_BCRYPT.fullmatch(hash_guardado)
    assert m, f"no es un hash bcrypt: {hash_guardado[:7]}..."
    assert int(m.group(1)) >= 10, "costo bcrypt menor que 10"
    return bcrypt.checkpw(password.encode(), hash_guardado.encode())


@pytest.fixture
def amauta(escuela):
    """``amauta("usuarios", "listar")`` corre ``amauta --db-url <escuela> usuarios listar``."""
    from conftest import invocar

    def correr(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return invocar(escuela.url, *args, input=input, env=env)

    return correr
