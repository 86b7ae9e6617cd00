"""Datos de prueba de los respaldos: un conjunto chico pero variado en las 14 tablas.

JSON anidado con acentos, listas (TEXT[] en PostgreSQL), todos los tipos enum, NULLs,
flotantes, fechas a medianoche y emojis. Se inserta con los modelos, como lo haría
amauta, dentro de una plantilla (``crear_plantilla("respaldo", preparar)``).
"""

from __future__ import annotations

from datetime import date, datetime


def preparar(url: str) -> None:
    from amauta_cli.db import transaccion
    from amauta_cli.ids import medianoche
    from amauta_cli.models import (
        Asistencia,
        Calificacion,
        Categoria,
        Comunicado,
        Curso,
        EstadoAsistencia,
        EstadoCurso,
        EstadoInscripcion,
        Grupo,
        GrupoEstudiante,
        Inscripcion,
        Institucion,
        Leccion,
        Nivel,
        Perfil,
        Prioridad,
        Progreso,
        Recurso,
        Rol,
        TipoComunicado,
        TipoInstitucion,
        TipoLeccion,
        Usuario,
    )

    h = "$2b$10$" + "a" * 53
    with transaccion(url) as s:
        docente = Usuario(email="maria.nunez@escuela.edu.ar", nombre="María José", apellido="Núñez",
                          rol=Rol.EDUCADOR, password=h, emailVerificado=datetime(2024, 2, 1, 12, 30, 15, 123000))
        admin = Usuario(email="direccion@escuela.edu.ar", nombre="Dirección", apellido="Güemes",
                        rol=Rol.ADMIN_ESCUELA, password=h, avatar="https://cdn.ejemplo.ar/á.png")
        raiz = Usuario(email="root@amauta.ar", nombre="Super", apellido="Admin", rol=Rol.SUPER_ADMIN,
                       password=h, activo=False)
        alumnos = [
            Usuario(email=f"alumno{i}@escuela.edu.ar", nombre=n, apellido=a, password=h)
            for i, (n, a) in enumerate(
                [("Joaquín", "Pérez"), ("Sofía", "Ñandú"), ("Lautaro", "O'Higgins"), ("Zoë", "Müller 🎒")]
            )
        ]
        s.add_all([docente, admin, raiz, *alumnos])
        s.flush()
        s.add_all(
            [
                Perfil(usuarioId=docente.id, bio="Profe de «Matemática»\nLínea 2", pais="Argentina",
                       ciudad="San Miguel de Tucumán", especialidad=["álgebra", "geometría", ""], experiencia=12),
                Perfil(usuarioId=alumnos[0].id, matricula="M-0001", grado="4º", especialidad=None),
                Perfil(usuarioId=alumnos[1].id, matricula="M-0002", grado="4º", especialidad=[]),
            ]
        )
        cat = Categoria(nombre="Ciencias Exactas", slug="ciencias-exactas", descripcion=None, icono="🔢")
        s.add(cat)
        s.flush()
        curso = Curso(titulo="Fracciones para 4º", descripcion="Números racionales, paso a paso",
                      slug="fracciones-4", educadorId=docente.id, categoriaId=cat.id,
                      nivel=Nivel.PRINCIPIANTE, estado=EstadoCurso.PUBLICADO, duracion=90,
                      publicadoEn=datetime(2024, 3, 1, 9, 0))
        borrador = Curso(titulo="Álgebra", descripcion="Próximamente", slug="algebra",
                         educadorId=docente.id, categoriaId=cat.id, nivel=Nivel.AVANZADO)
        s.add_all([curso, borrador])
        s.flush()
        l1 = Leccion(titulo="¿Qué es una fracción?", orden=1, cursoId=curso.id, tipo=TipoLeccion.VIDEO,
                     contenido={"url": "https://video.ar/1", "subtítulos": ["es", "qu"], "duración": 7.5,
                                "meta": {"nulo": None, "ok": True}}, publicada=True)
        l2 = Leccion(titulo="Quiz", orden=2, cursoId=curso.id, tipo=TipoLeccion.QUIZ,
                     contenido=[{"pregunta": "½ + ¼", "opciones": ["¾", "⅔"], "correcta": 0}])
        s.add_all([l1, l2])
        s.flush()
        s.add(Recurso(nombre="Guía.pdf", tipo="pdf", url="https://cdn.ar/guía.pdf", tamano=None,
                      leccionId=l1.id, disponibleOffline=True))
        s.add_all(
            [
                Inscripcion(usuarioId=alumnos[0].id, cursoId=curso.id, estado=EstadoInscripcion.COMPLETADO,
                            progreso=100, completadoEn=datetime(2024, 4, 2, 18, 0, 0, 999000)),
                Inscripcion(usuarioId=alumnos[1].id, cursoId=curso.id, estado=EstadoInscripcion.ABANDONADO),
                Inscripcion(usuarioId=alumnos[2].id, cursoId=curso.id),
            ]
        )
        s.add_all(
            [
                Progreso(usuarioId=alumnos[0].id, leccionId=l1.id, completado=True, porcentaje=100,
                         intentos=2, mejorPuntaje=9.75),
                Progreso(usuarioId=alumnos[0].id, leccionId=l2.id, mejorPuntaje=None),
            ]
        )
        inst = Institucion(nombre="Escuela N.º 1 «Juana Azurduy»", tipo=TipoInstitucion.ESCUELA,
                           direccion="Av. Sarmiento 1234", email=None)
        otra = Institucion(nombre="Instituto Terciario", tipo=TipoInstitucion.CENTRO_FORMACION, activa=False)
        s.add_all([inst, otra])
        s.flush()
        grupo = Grupo(nombre="4to Grado A", grado="4º", seccion="A", institucionId=inst.id, educadorId=docente.id)
        viejo = Grupo(nombre="3ro B (2023)", institucionId=inst.id, educadorId=docente.id, activo=False)
        s.add_all([grupo, viejo])
        s.flush()
        s.add_all([GrupoEstudiante(grupoId=grupo.id, estudianteId=a.id) for a in alumnos])
        estados = list(EstadoAsistencia)
        for d, dia in enumerate([date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]):
            for k, a in enumerate(alumnos):
                e = estados[(d + k) % len(estados)]
                s.add(Asistencia(grupoId=grupo.id, estudianteId=a.id, fecha=medianoche(dia), estado=e,
                                 observaciones="Llegó 10' tarde" if e == EstadoAsistencia.TARDANZA else None))
        for k, a in enumerate(alumnos):
            s.add(Calificacion(grupoId=grupo.id, estudianteId=a.id, materia="Matemática", periodo="1er Trimestre",
                               nota=[7.5, 10.0, 4.25, 6.0][k], observaciones=None if k else "Excelente 👏"))
        s.add_all(
            [
                Comunicado(institucionId=inst.id, autorId=admin.id, titulo="Acto del 25 de Mayo",
                           contenido="Traer escarapela 🇦🇷", tipo=TipoComunicado.EVENTO, prioridad=Prioridad.ALTA),
                Comunicado(institucionId=inst.id, autorId=admin.id, titulo="Suspensión de clases",
                           contenido="Por tormenta", tipo=TipoComunicado.URGENTE, prioridad=Prioridad.URGENTE),
                Comunicado(institucionId=otra.id, autorId=raiz.id, titulo="Bienvenida", contenido="—",
                           tipo=TipoComunicado.GENERAL),
            ]
        )


def agregar_asistencias(bd, n: int) -> None:
    """``n`` filas más de asistencia, generadas en el servidor (para pruebas que necesitan volumen)."""
    grupo = bd.valor('SELECT id FROM "Grupo" WHERE nombre = \'4to Grado A\'')
    alumno = bd.valor('SELECT id FROM "Usuario" WHERE email = \'alumno0@escuela.edu.ar\'')
    if bd.motor == "postgresql":
        bd.ejecutar(
            'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
            '"createdAt", "updatedAt") '
            "SELECT 'x' || g, :grupo, :alumno, TIMESTAMP '1000-01-01' + g * INTERVAL '1 day', "
            "'PRESENTE', repeat('observación ', 5), now(), now() FROM generate_series(1, :n) g",
            grupo=grupo, alumno=alumno, n=n,
        )
    else:
        bd.ejecutar(
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :n) "
            'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
            '"createdAt", "updatedAt") '
            "SELECT 'x' || i, :grupo, :alumno, datetime('1000-01-01', '+' || i || ' days'), "
            "'PRESENTE', 'observación observación observación', datetime('now'), datetime('now') FROM g",
            grupo=grupo, alumno=alumno, n=n,
        )
