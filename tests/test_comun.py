"""Búsquedas compartidas: sin acentos ni mayúsculas, iguales en ambos motores."""

import pytest

from amauta_cli.db import transaccion
from amauta_cli.errores import NoEncontrado, OperacionRechazada
from amauta_cli.models import Grupo, Institucion, Rol, TipoInstitucion, Usuario
from amauta_cli.services.comun import buscar_grupo, buscar_institucion, buscar_usuario


def _escuela(url):
    with transaccion(url) as s:
        edu = Usuario(email="maria@edu.ar", nombre="María", apellido="González", rol=Rol.EDUCADOR, password="x")
        a = Institucion(nombre="Escuela Nº 42 Ñandú", tipo=TipoInstitucion.ESCUELA)
        b = Institucion(nombre="Colegio San Martín", tipo=TipoInstitucion.COLEGIO)
        s.add_all([edu, a, b])
        s.flush()
        s.add_all(
            [
                Grupo(nombre="4to Grado A", institucionId=a.id, educadorId=edu.id),
                Grupo(nombre="Matemática Básica", institucionId=a.id, educadorId=edu.id),
                Grupo(nombre="Matemática Básica", institucionId=b.id, educadorId=edu.id, activo=False),
            ]
        )


@pytest.mark.rapida
def test_busquedas_sin_acentos_ni_mayusculas(bd):
    _escuela(bd.url)
    with transaccion(bd.url) as s:
        assert buscar_usuario(s, "  MARIA@EDU.AR ").nombre == "María"
        assert buscar_institucion(s, "escuela nº 42 nandu").tipo == TipoInstitucion.ESCUELA
        assert buscar_grupo(s, "4TO grado a").nombre == "4to Grado A"
        g = buscar_grupo(s, "matematica basica", institucion="colegio san martin")
        assert g.institucion.nombre == "Colegio San Martín"
        assert buscar_grupo(s, g.id).id == g.id


def test_busquedas_que_fallan_explican_por_que(bd):
    _escuela(bd.url)
    with transaccion(bd.url) as s:
        with pytest.raises(NoEncontrado, match="nadie@edu.ar"):
            buscar_usuario(s, "nadie@edu.ar")
        with pytest.raises(NoEncontrado, match="varias instituciones.*--institucion"):
            buscar_grupo(s, "Matemática Básica")
        with pytest.raises(NoEncontrado, match="No existe el grupo '5to B'"):
            buscar_grupo(s, "5to B")
        with pytest.raises(OperacionRechazada, match="inactivo"):
            buscar_grupo(s, "Matemática Básica", institucion="Colegio San Martín", exigir_activo=True)


def test_grupos_homonimos_en_la_misma_institucion_se_nombran_por_id(bd):
    """Datos cargados por la app Prisma pueden repetir un nombre dentro de una institución."""
    _escuela(bd.url)
    with transaccion(bd.url) as s:
        inst = buscar_institucion(s, "Colegio San Martín")
        otro = Grupo(nombre="Matemática Básica", institucionId=inst.id, educadorId=buscar_usuario(s, "maria@edu.ar").id)
        s.add(otro)
    with transaccion(bd.url) as s:
        with pytest.raises(NoEncontrado, match="Hay 2 grupos llamados .* en la institución 'Colegio San Martín'; nombre el grupo por su id"):
            buscar_grupo(s, "Matemática Básica", institucion="Colegio San Martín")


def test_institucion_por_palabras_de_su_nombre(bd):
    """El diseño llama "Escuela Nº 42" a 'Escuela Primaria Nº 42 "Bernardino Rivadavia"'."""
    _escuela(bd.url)
    with transaccion(bd.url) as s:
        s.add(Institucion(nombre='Escuela Primaria Nº 42 "Bernardino Rivadavia"', tipo=TipoInstitucion.ESCUELA))
    with transaccion(bd.url) as s:
        assert buscar_institucion(s, "Escuela Nº 42 Ñandú").nombre == "Escuela Nº 42 Ñandú"  # exacto primero
        assert buscar_institucion(s, "escuela primaria nº 42").nombre.startswith("Escuela Primaria")
        assert buscar_institucion(s, "Escuela no 42 rivadavia").nombre.startswith("Escuela Primaria")
        with pytest.raises(NoEncontrado, match="coincide con varias instituciones"):
            buscar_institucion(s, "escuela 42")
        with pytest.raises(NoEncontrado, match="No existe la institución"):
            buscar_institucion(s, "escuela 43")
