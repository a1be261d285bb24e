;; RGBA -> I420 (BT.601 limited range), the same integer arithmetic as rowPair in yuv.ts, four pixels of two
;; rows at a time with 128-bit SIMD. The caller copies the RGBA rectangle (w x h, w a multiple of 4, h even)
;; to $src; its Y, U and V go to $y, $u and $v, rows $yStride and $cStride bytes apart (a frame's planes).
(module
  (memory (export "memory") 1)

  ;; Four pixels' Y from 16 RGBA bytes: (66R + 129G + 25B + 4224) >> 8, stored as 4 bytes at $at.
  (func $luma (param $px v128) (param $at i32)
    (local $lo v128) (local $hi v128) (local $sum v128)
    (local.set $lo (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $px))
                                     (v128.const i16x8 66 129 25 0 66 129 25 0)))
    (local.set $hi (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $px))
                                     (v128.const i16x8 66 129 25 0 66 129 25 0)))
    ;; lanes [66R+129G, 25B] per pixel: add each pixel's two
    (local.set $sum (i32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi))))
    (local.set $sum (i32x4.shr_s (i32x4.add (local.get $sum) (v128.const i32x4 4224 4224 4224 4224))
                                 (i32.const 8)))
    (local.set $sum (i16x8.narrow_i32x4_u (local.get $sum) (local.get $sum)))
    (v128.store32_lane 0 (local.get $at) (i8x16.narrow_i16x8_u (local.get $sum) (local.get $sum))))

  (func (export "rgbaToI420") (param $src i32) (param $w i32) (param $h i32)
                              (param $y i32) (param $yStride i32) (param $u i32) (param $v i32) (param $cStride i32)
    (local $j i32) (local $i i32) (local $row i32) (local $top v128) (local $bottom v128)
    (local $lo v128) (local $hi v128) (local $sums v128) (local $du v128) (local $dv v128) (local $c v128)
    (local $chroma i32)
    (local.set $row (i32.shl (local.get $w) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $h)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $pixels
            (br_if $done (i32.ge_u (local.get $i) (local.get $w)))
            (local.set $top (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $bottom (v128.load (i32.add (i32.add (local.get $src) (local.get $row))
                                                   (i32.shl (local.get $i) (i32.const 2)))))
            (call $luma (local.get $top) (i32.add (local.get $y) (local.get $i)))
            (call $luma (local.get $bottom) (i32.add (i32.add (local.get $y) (local.get $yStride)) (local.get $i)))
            ;; 2x2 sums: top + bottom, then each pixel pair -> [R G B A] of two blocks, as i16
            (local.set $lo (i16x8.add (i16x8.extend_low_i8x16_u (local.get $top))
                                      (i16x8.extend_low_i8x16_u (local.get $bottom))))
            (local.set $hi (i16x8.add (i16x8.extend_high_i8x16_u (local.get $top))
                                      (i16x8.extend_high_i8x16_u (local.get $bottom))))
            (local.set $sums (i16x8.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))))
            ;; U = (-38R - 74G + 112B + 131584) >> 10, V = (112R - 94G - 18B + 131584) >> 10
            (local.set $du (i32x4.dot_i16x8_s (local.get $sums) (v128.const i16x8 -38 -74 112 0 -38 -74 112 0)))
            (local.set $dv (i32x4.dot_i16x8_s (local.get $sums) (v128.const i16x8 112 -94 -18 0 112 -94 -18 0)))
            (local.set $c (i32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $du) (local.get $dv))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $du) (local.get $dv))))
            (local.set $c (i32x4.shr_s (i32x4.add (local.get $c) (v128.const i32x4 131584 131584 131584 131584))
                                       (i32.const 10)))
            (local.set $c (i16x8.narrow_i32x4_u (local.get $c) (local.get $c)))
            (local.set $c (i8x16.narrow_i16x8_u (local.get $c) (local.get $c)))
            (local.set $chroma (i32.shr_u (local.get $i) (i32.const 1)))
            (v128.store16_lane 0 (i32.add (local.get $u) (local.get $chroma)) (local.get $c))
            (v128.store16_lane 1 (i32.add (local.get $v) (local.get $chroma)) (local.get $c))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $pixels)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $row) (i32.const 1))))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $yStride) (i32.const 1))))
        (local.set $u (i32.add (local.get $u) (local.get $cStride)))
        (local.set $v (i32.add (local.get $v) (local.get $cStride)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $rows)))))
