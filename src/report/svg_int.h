/*
 * What the SVG writer's own files share beyond svg.h: the axis code
 * (svg_axis.c) and the renderer (svg.c) both estimate label widths.
 * Internal to src/report/svg*.c.
 */
#ifndef DMRB_SVG_INT_H
#define DMRB_SVG_INT_H

/* The estimated width in pixels of s at SVG_FONT_PX: SVG_CHAR_PX a character. */
double svg_label_px(const char *s);

#endif
