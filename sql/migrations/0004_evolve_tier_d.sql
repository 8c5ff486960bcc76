-- Evolve tier-D bots. Measured on the starter fleet, autonomy scores land
-- between 40 and 65, so a threshold of 35 never fired and the only path to a
-- new generation was three failed supervisor cycles (nine minutes at the
-- default interval). 50 is the tier-D boundary: the weakest bots evolve after
-- their first scored cycle. A value a DBA already changed is left alone.
update settings
   set value = '50', updated_at = now(),
       description = 'or a latest autonomy score total below this (0–100); 50 = tier D'
 where key = 'evolve_score_below' and value = '35';
