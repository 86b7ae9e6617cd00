"""Los modelos: relaciones en ambos sentidos, ids cuid, updatedAt y acciones de las claves."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from amauta_cli.db import transaccion
from amauta_cli.ids import cuid
from amauta_cli.models import (
    Asistencia,
    Calificacion,
    Categoria,
    Comunicado,
    Curso,
    EstadoAsistencia,
    Grupo,
    GrupoEstudiante,
    Inscripcion,
    Institucion,
    Leccion,
    Nivel,
    Perfil,
    Progreso,
    Recurso,
    Rol,
    TipoComunicado,
    TipoInstitucion,
    TipoLeccion,
    Usuario,
)


def _poblar(url: str) -> dict[str, str]:
    with transaccion(url) as s:
        edu = Usuario(email="maria@edu.ar", nombre="María", apellido="González", rol=Rol.EDUCADOR, password="h")
        edu.perfil = Perfil(especialidad=["Álgebra", "Geometría"], experiencia=10)
        est = Usuario(email="lucas@mail.com", nombre="Lucas", apellido="Fernández", password="h")
        cat = Categoria(nombre="Matemáticas", slug="matematicas")
        curso = Curso(titulo="Álgebra", descripcion="d", slug="algebra", educador=edu, categoria=cat, nivel=Nivel.PRINCIPIANTE)
        l2 = Leccion(titulo="Dos", orden=2, tipo=TipoLeccion.TEXTO, contenido={"cuerpo": "x"})
        l1 = Leccion(titulo="Uno", orden=1, tipo=TipoLeccion.QUIZ, contenido={"preguntas": [{"p": "¿2+2?", "r": 4}]})
        curso.lecciones = [l2, l1]
        l1.recursos = [Recurso(nombre="guía", tipo="pdf", url="https://x/guia.pdf")]
        inst = Institucion(nombre="Escuela 42", tipo=TipoInstitucion.ESCUELA)
        grupo = Grupo(nombre="4to A", institucion=inst, educador=edu)
        s.add_all([edu, est, curso, grupo])
        s.flush()
        s.add_all(
            [
                Inscripcion(usuario=est, curso=curso, progreso=50),
                Progreso(usuario=est, leccion=l1, completado=True, mejorPuntaje=85.0),
                GrupoEstudiante(grupo=grupo, estudiante=est),
                Asistencia(grupo=grupo, estudiante=est, fecha=__import__("datetime").datetime(2024, 3, 4), estado=EstadoAsistencia.PRESENTE),
                Calificacion(grupo=grupo, estudiante=est, materia="Matemáticas", periodo="1er Trimestre", nota=8.5),
                Comunicado(institucion=inst, autor=edu, titulo="Bienvenidos", contenido="...", tipo=TipoComunicado.GENERAL),
            ]
        )
        return {"edu": edu.id, "est": est.id, "curso": curso.id, "grupo": grupo.id, "l1": l1.id}


def test_relaciones_en_ambos_sentidos(bd):
    ids = _poblar(bd.url)
    with transaccion(bd.url, solo_lectura=True) as s:
        edu = s.get(Usuario, ids["edu"])
        est = s.get(Usuario, ids["est"])
        assert edu.perfil.especialidad == ["Álgebra", "Geometría"]
        assert edu.perfil.usuario is edu
        assert [c.slug for c in edu.cursosCreados] == ["algebra"]
        assert [g.nombre for g in edu.gruposEducador] == ["4to A"]
        assert [c.titulo for c in edu.comunicados] == ["Bienvenidos"]
        curso = s.get(Curso, ids["curso"])
        assert [l.titulo for l in curso.lecciones] == ["Uno", "Dos"]  # ordenadas por orden
        assert curso.lecciones[0].contenido["preguntas"][0]["r"] == 4
        assert curso.lecciones[0].recursos[0].leccion.curso is curso
        assert curso.categoria.cursos == [curso]
        assert [i.curso.slug for i in est.inscripciones] == ["algebra"]
        assert est.progresos[0].leccion.titulo == "Uno" and est.progresos[0].mejorPuntaje == 85.0
        assert [ge.grupo.nombre for ge in est.gruposEstudiante] == ["4to A"]
        grupo = s.get(Grupo, ids["grupo"])
        assert grupo.estudiantes[0].estudiante is est
        assert grupo.asistencias[0].estudiante is est and grupo.calificaciones[0].nota == 8.5
        assert grupo.institucion.grupos == [grupo] and grupo.institucion.comunicados[0].autor is edu
        assert est.rol == Rol.ESTUDIANTE and est.activo is True  # defaults del diseño
        assert curso.idioma == "es" and curso.estado.value == "BORRADOR"


@pytest.mark.rapida
def test_ids_cuid_y_updated_at_los_pone_amauta(bd):
    ids = {cuid() for _ in range(5000)}
    assert len(ids) == 5000
    assert all(re.fullmatch(r"c[0-9a-z]{24}", i) for i in ids)
    ref = _poblar(bd.url)
    with transaccion(bd.url) as s:
        u = s.get(Usuario, ref["est"])
        creado, actualizado = u.createdAt, u.updatedAt
        assert creado is not None and actualizado is not None
    time.sleep(0.01)
    with transaccion(bd.url) as s:
        u = s.get(Usuario, ref["est"])
        u.nombre = "Lucas Martín"
    with transaccion(bd.url, solo_lectura=True) as s:
        u = s.get(Usuario, ref["est"])
        assert u.createdAt == creado and u.updatedAt > actualizado


def test_acciones_de_las_claves_foraneas(bd):
    ref = _poblar(bd.url)
    with transaccion(bd.url) as s:
        s.execute(delete(Progreso))
    # ON DELETE CASCADE: borrar un curso borra sus lecciones y sus recursos.
    with transaccion(bd.url) as s:
        s.execute(delete(Inscripcion))
        s.execute(delete(Curso).where(Curso.id == ref["curso"]))
    assert bd.contar("Leccion") == 0 and bd.contar("Recurso") == 0
    # ON DELETE RESTRICT: un usuario con perfil no se borra, y nada cambia.
    antes = bd.instantanea()
    with pytest.raises(IntegrityError):
        with transaccion(bd.url) as s:
            s.execute(delete(Usuario).where(Usuario.id == ref["edu"]))
    assert bd.instantanea() == antes
    # ON UPDATE CASCADE: cambiar el id de un usuario actualiza sus referencias.
    bd.ejecutar('UPDATE "Usuario" SET id = :n WHERE id = :v', n="nuevo-id", v=ref["est"])
    assert bd.valor('SELECT "estudianteId" FROM "GrupoEstudiante"') == "nuevo-id"
    assert bd.valor('SELECT count(*) FROM "Calificacion" WHERE "estudianteId" = :i', i="nuevo-id") == 1


def test_objetos_leidos_en_solo_lectura_siguen_usables(bd):
    ref = _poblar(bd.url)
    with transaccion(bd.url, solo_lectura=True) as s:
        u = s.get(Usuario, ref["edu"])
    assert u.nombre == "María" and u.email == "maria@edu.ar"
