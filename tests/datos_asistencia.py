"""Datos de prueba de asistencia: una escuela con dos grupos activos, uno inactivo y extraños.

Se preparan una vez por motor (``crear_plantilla("asistencia", preparar)``) y cada
prueba recibe un clon. Los grupos y estudiantes los crea ``amauta grupos`` (otra área):
aquí se insertan directamente con los modelos.

- ``4to Grado A`` (Escuela Nº 42): Fernández Lucas (2024-001), García Mateo (2024-003),
  Pérez Sofía (2024-004), Ruiz Valentina (2024-002) y Torres Pedro (inactivo).
- ``5to Grado B`` (Escuela Nº 42): Ortiz Ana y Vega Juan.
- ``3ro Viejo`` (Escuela Nº 42, inactivo): Fernández Lucas.
- ``Matemática I`` (Colegio San Martín): Zapata Bruno.
- ``libre@mail.com``: estudiante sin grupo; ``maria.gonzalez@edu.ar``: la educadora.
"""

from __future__ import annotations

from datetime import date

LUCAS = "lucas.fernandez@mail.com"
MATEO = "mateo.garcia@mail.com"
SOFIA = "sofia.perez@mail.com"
VALENTINA = "valentina.ruiz@mail.com"
PEDRO = "pedro.torres@mail.com"  # inactivo, en 4to A
ANA = "ana.ortiz@mail.com"  # de 5to B
JUAN = "juan.vega@mail.com"  # de 5to B
BRUNO = "bruno.zapata@mail.com"  # del colegio
LIBRE = "libre@mail.com"  # sin grupo
MARIA = "maria.gonzalez@edu.ar"

GRUPO = "4to Grado A"
OTRO_GRUPO = "5to Grado B"
INACTIVO = "3ro Viejo"
ESCUELA = "Escuela Nº 42"
COLEGIO = "Colegio San Martín"

ACTIVOS_4A = [LUCAS, MATEO, SOFIA, VALENTINA]

LUNES = date(2024, 3, 4)  # un lunes pasado
SABADO = date(2024, 3, 9)


def preparar(url: str) -> None:
    from amauta_cli.db import transaccion
    from amauta_cli.models import (
        Grupo,
        GrupoEstudiante,
        Institucion,
        Perfil,
        Rol,
        TipoInstitucion,
        Usuario,
    )

    with transaccion(url) as s:
        def usuario(email, nombre, apellido, rol=Rol.ESTUDIANTE, activo=True, matricula=None):
            u = Usuario(email=email, nombre=nombre, apellido=apellido, rol=rol, password="x", activo=activo)
            s.add(u)
            s.flush()
            if matricula:
                s.add(Perfil(usuarioId=u.id, matricula=matricula, grado="4to"))
            return u

        maria = usuario(MARIA, "María", "González", Rol.EDUCADOR)
        escuela = Institucion(nombre=ESCUELA, tipo=TipoInstitucion.ESCUELA)
        colegio = Institucion(nombre=COLEGIO, tipo=TipoInstitucion.COLEGIO)
        s.add_all([escuela, colegio])
        s.flush()
        g4 = Grupo(nombre=GRUPO, grado="4to", seccion="A", institucionId=escuela.id, educadorId=maria.id)
        g5 = Grupo(nombre=OTRO_GRUPO, grado="5to", seccion="B", institucionId=escuela.id, educadorId=maria.id)
        g3 = Grupo(nombre=INACTIVO, institucionId=escuela.id, educadorId=maria.id, activo=False)
        gm = Grupo(nombre="Matemática I", institucionId=colegio.id, educadorId=maria.id)
        s.add_all([g4, g5, g3, gm])
        s.flush()
        lucas = usuario(LUCAS, "Lucas", "Fernandez", matricula="2024-001")
        valentina = usuario(VALENTINA, "Valentina", "Ruiz", matricula="2024-002")
        mateo = usuario(MATEO, "Mateo", "Garcia", matricula="2024-003")
        sofia = usuario(SOFIA, "Sofia", "Perez", matricula="2024-004")
        pedro = usuario(PEDRO, "Pedro", "Torres", activo=False, matricula="2024-005")
        ana = usuario(ANA, "Ana", "Ortiz", matricula="2024-101")
        juan = usuario(JUAN, "Juan", "Vega")
        bruno = usuario(BRUNO, "Bruno", "Zapata")
        usuario(LIBRE, "Libre", "Sin Grupo")
        for g, estudiantes in (
            (g4, [lucas, valentina, mateo, sofia, pedro]),
            (g5, [ana, juan]),
            (g3, [lucas]),
            (gm, [bruno]),
        ):
            for e in estudiantes:
                s.add(GrupoEstudiante(grupoId=g.id, estudianteId=e.id))


def escribir_csv(ruta, texto: str, codificacion: str = "utf-8") -> str:
    """Escribe el CSV byte a byte en la codificación pedida y devuelve la ruta como texto."""
    from pathlib import Path

    Path(ruta).write_bytes(texto.encode(codificacion))
    return str(ruta)
