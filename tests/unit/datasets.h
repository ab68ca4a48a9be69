/*
 * Classic data sets shared by the statistics tests (static: each test
 * program that includes this has its own copy; some use only one).
 */
#ifndef DMRB_TEST_DATASETS_H
#define DMRB_TEST_DATASETS_H

/* R's sleep data (Cushny & Peebles 1905; Student 1908): extra hours of
 * sleep of 10 patients under two drugs. */
static const double sleep1[] __attribute__((unused)) = {
	0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0,
};
static const double sleep2[] __attribute__((unused)) = {
	1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4,
};

/* R's Nile: annual flow of the Nile at Aswan, 1871-1970 (Cobb 1978). */
static const double nile[100] __attribute__((unused)) = {
	1120, 1160, 963,  1210, 1160, 1160, 813,  1230, 1370, 1140, 995,  935,  1110, 994,  1020,
	960,  1180, 799,  958,  1140, 1100, 1210, 1150, 1250, 1260, 1220, 1030, 1100, 774,  840,
	874,  694,  940,  833,  701,  916,  692,  1020, 1050, 969,  831,  726,  456,  824,  702,
	1120, 1100, 832,  764,  821,  768,  845,  864,  862,  698,  845,  744,  796,  1040, 759,
	781,  865,  845,  944,  984,  897,  822,  1010, 771,  676,  649,  846,  812,  742,  801,
	1040, 860,  874,  848,  890,  744,  749,  838,  1050, 918,  986,  797,  923,  975,  815,
	1020, 906,  901,  1170, 912,  746,  919,  718,  714,  740,
};

#endif
